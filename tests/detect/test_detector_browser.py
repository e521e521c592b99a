"""The deep detector on traffic that real Chromium sends: encodings trackers use, end to end."""

from __future__ import annotations

import json

import lzstring
import pytest

from crawler.cli import main
from crawler.testing import Response, SiteServer

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
PAGE = f"http://portal.skat.test/side?cpr={CPR}"


def side_page() -> str:
    packed = lzstring.LZString().compressToBase64(json.dumps({"page": PAGE}))
    return f"""<!doctype html><title>side</title><script>
fetch("http://b64.vendorone.test/c?d=" + \
encodeURIComponent(btoa(JSON.stringify({{url: location.href}}))), {{mode: "no-cors"}});
new Response(new Blob([JSON.stringify({{events: [{{u: location.href}}]}})]).stream()
  .pipeThrough(new CompressionStream("gzip"))).arrayBuffer()
  .then(buf => fetch("http://gz.vendortwo.test/batch", \
{{method: "POST", mode: "no-cors", body: buf}}));
fetch("http://lz.vendorthree.test/e", \
{{method: "POST", mode: "no-cors", body: {json.dumps(packed)}}});
crypto.subtle.digest("SHA-256", new TextEncoder().encode("{CPR}")).then(d => {{
  const hex = [...new Uint8Array(d)].map(b => b.toString(16).padStart(2, "0")).join("");
  new Image().src = "http://hash.vendorfour.test/p?uid=" + hex; }});
navigator.sendBeacon("http://blob.vendorfive.test/b", \
new Blob([btoa(location.href)], {{type: "text/plain"}}));
const typed = JSON.stringify({{events: [{{type: "input", value: "070761-4285"}}]}});
new Response(new Blob([typed]).stream().pipeThrough(new CompressionStream("deflate-raw")))
  .arrayBuffer().then(buf => {{
    fetch("http://raw.vendorsix.test/r", {{method: "POST", mode: "no-cors", body: buf,
      headers: {{"Content-Type": "application/octet-stream"}}}});
    const b64 = btoa(String.fromCharCode(...new Uint8Array(buf)));
    fetch("http://replay.vendorseven.test/j", \
{{method: "POST", mode: "no-cors", body: JSON.stringify({{d: b64}})}});
  }});
new Image().src = "http://forms.vendoreight.test/c?fdato=070761&side=2&lbnr=4285";
</script>"""


@pytest.fixture
def portal(monkeypatch):
    # crypto.subtle needs a secure context: let Chromium treat the loopback portal as one.
    monkeypatch.setenv(
        "CPRAUDIT_CHROMIUM_ARGS",
        "--unsafely-treat-insecure-origin-as-secure=http://portal.skat.test",
    )
    with SiteServer({"portal.skat.test/side": Response(side_page())}) as server:
        yield server


def test_encoded_hashed_and_compressed_cprs_are_found(portal, tmp_path):
    code = main(
        [
            "adhoc",
            PAGE,
            "--cpr",
            CPR,
            "--resolve",
            portal.resolve_rules()[0],
            "--depth",
            "0",
            "--dwell",
            "2",
            "--out",
            str(tmp_path),
        ]
    )
    found = json.loads((tmp_path / "portal-skat-test" / "findings.json").read_text())
    assert code == 1
    encodings = {}
    for f in found["findings"]:
        encodings.setdefault(f["host"], set()).add(f["encoding"])
    assert set(encodings) == {
        "b64.vendorone.test",
        "gz.vendortwo.test",
        "lz.vendorthree.test",
        "hash.vendorfour.test",
        "blob.vendorfive.test",
        "raw.vendorsix.test",
        "replay.vendorseven.test",
        "forms.vendoreight.test",
    }
    assert any("base64" in e for e in encodings["b64.vendorone.test"])
    assert any("gzip" in e for e in encodings["gz.vendortwo.test"])
    assert any("lz" in e for e in encodings["lz.vendorthree.test"])
    assert any("sha256" in e for e in encodings["hash.vendorfour.test"])
    assert any("base64" in e for e in encodings["blob.vendorfive.test"])
    assert encodings["raw.vendorsix.test"] == {"deflate"}
    assert encodings["replay.vendorseven.test"] == {"base64+deflate"}
    assert encodings["forms.vendoreight.test"] == {"split"}
