"""One system's analysis over a written record, without a browser."""

from __future__ import annotations

from crawler.analyse.system import analyse_system
from crawler.bundle import Recording, write_exchanges
from crawler.model import Citizen, Target
from crawler.testing import make_exchange

CPR = "0707614285"


def test_contain_mode_names_the_findings_it_did_not_stop(tmp_path):
    target = Target(
        system="portal",
        start_url="http://portal.skat.test/",
        first_party=("skat.test",),
        contain=True,
    )
    rec = Recording(target, tmp_path)
    write_exchanges(
        [
            make_exchange(url=f"http://t.tracker.test/p?cpr={CPR}", seq=1, contained=True),
            make_exchange(
                url="http://c.cookievendor.test/p", seq=2, headers=(("Cookie", f"uid={CPR}"),)
            ),
        ],
        rec.requests_path,
    )
    result, _ = analyse_system(rec, Citizen(cpr=CPR))
    assert result.verdict == "leak"
    (note,) = [n for n in result.notes if n.startswith("contain mode did not stop")]
    assert "1 finding(s): c.cookievendor.test (cookie, cookie uid)" in note
    assert "t.tracker.test" not in note
