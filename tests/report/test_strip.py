"""The index shows each system's last 90 runs as an inline SVG strip: a bar per run in its
verdict's colour, a mark above each run that brought new leaks, exactly as the history replays
them; no script and no style attribute, which the pages' policy would block."""

from __future__ import annotations

from html.parser import HTMLParser

from crawler import history
from crawler.history.store import open_store, save_run
from crawler.history.timeline import timeline
from crawler.model import Audited
from crawler.report import Title, write_index
from crawler.report.strip import STEP, VERDICT_COLOURS
from crawler.testing.history import Shape, nights

SHAPE = Shape(systems=2, nights=130, appear=0.03, fix=0.05, incomplete=0.1)


class Strips(HTMLParser):
    """Per strip on the page (by its aria-label), its bars' colours and its marks' positions."""

    def __init__(self) -> None:
        super().__init__()
        self.strips: list[dict] = []
        self.styled: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.styled.append(tag)
        if tag == "svg" and (a.get("aria-label") or "").startswith("Verdicts of the last"):
            self.strips.append({"bars": [], "marks": []})
        elif tag == "rect" and self.strips and a.get("width") == "2":
            if a.get("class") == "new":
                self.strips[-1]["marks"].append(int(a["x"]))
            else:
                self.strips[-1]["bars"].append(a["fill"])

    handle_startendtag = handle_starttag


def test_the_index_strip_shows_the_last_90_runs_as_replayed(tmp_path):
    db, run_dir = tmp_path / "history.sqlite", tmp_path / "run"
    run_dir.mkdir()
    *earlier, (meta, tonight) = list(nights(SHAPE))
    with open_store(db) as conn:
        for m, results in earlier:
            save_run(conn, m, results)
    judged = history.after_run(db, meta, [Audited(r, r.system) for r in tonight], None)
    page = write_index(judged, run_dir, Title("run", "audit.toml")).read_text()

    with open_store(db) as conn:
        replayed = [series.nights[-90:] for series in timeline(conn, None)]
    expected = [
        {
            "bars": [VERDICT_COLOURS[n.night.run.verdict] for n in last],
            "marks": [STEP * i for i, n in enumerate(last) if n.night.new],
        }
        for last in replayed
    ]
    found = Strips()
    found.feed(page)
    assert found.strips == expected
    assert all(len(s["bars"]) == 90 for s in found.strips)
    assert all(s["marks"] for s in found.strips), "the history brings new leaks in 90 runs"
    assert len({fill for s in found.strips for fill in s["bars"]}) > 1, "verdicts differ"
    assert found.styled == [] and "<script" not in page
