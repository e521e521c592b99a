"""The docs hold: the generated reference says what the code says now, every link between the
docs leads to a file and a heading that exist, and the README stays a front door."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler import reference

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
README_LINES = 150

FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^()\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def prose(path: Path) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    lines, fenced = [], False
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the file's headings; a repeated heading gets -1, -2, ..."""
    seen: dict[str, int] = {}
    for _, line in prose(path):
        if match := HEADING.match(line):
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(2))  # a link's text
            base = reference.slug(text)
            n = seen.get(base, 0)
            seen[base] = n + 1
            seen.setdefault(f"{base}-{n}" if n else base, 1)
    return set(seen)


def links(path: Path) -> list[tuple[int, str]]:
    found = []
    for number, line in prose(path):
        text = INLINE_CODE.sub("", line)
        found += [(number, m.group(1)) for m in INLINE_LINK.finditer(text)]
        if match := REFERENCE_LINK.match(text):
            found.append((number, match.group(1)))
    return found


def broken(path: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of `path` that leads to no file, or to no heading of it."""
    problems = []
    for number, target in links(path):
        if EXTERNAL.match(target):
            continue
        file, _, anchor = target.partition("#")
        goal = (path.parent / file).resolve() if file else path
        where = f"{path.relative_to(root)}:{number}: {target}"
        if not goal.exists():
            problems.append(f"{where}: no such file")
        elif anchor and goal.suffix == ".md" and anchor not in anchors(goal):
            problems.append(f"{where}: no heading with anchor #{anchor} in {goal.name}")
        elif anchor and goal.suffix != ".md":
            problems.append(f"{where}: an anchor into a file that has no headings")
    return problems


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return reference.pages()


@pytest.mark.parametrize("name", sorted(reference.FILES))
def test_the_generated_reference_is_what_the_code_says_now(name, generated):
    written = DOCS / "reference" / name
    assert written.is_file(), f"docs/reference/{name} is missing: run make docs"
    assert written.read_text("utf-8") == generated[name], (
        f"docs/reference/{name} is not what the code says now: run make docs"
    )


def test_the_reference_is_written_the_same_on_every_machine(tmp_path, monkeypatch, generated):
    monkeypatch.setenv("COLUMNS", "37")
    reference.write(tmp_path)
    assert {p.name: p.read_text("utf-8") for p in tmp_path.iterdir()} == generated
    assert not any(str(ROOT) in text or str(Path.home()) in text for text in generated.values())


def test_every_relative_link_of_the_docs_leads_to_a_file_and_a_heading():
    files = markdown_files()
    assert len(files) > 10, "the docs are where this test looks"
    problems = [p for path in files for p in broken(path)]
    assert problems == []


def test_the_link_check_sees_a_broken_file_and_a_broken_anchor(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# What a verdict claims\n\n## Title `code`, (and) more\n\n"
        "[ok](#what-a-verdict-claims) [ok](#title-code-and-more)\n"
        "[ok](page.md#title-code-and-more) [ok](https://example.dk/#x)\n"
        "[bad](#no-such) [bad](missing.md) `[not a link](nowhere.md)`\n\n"
        "```\n[not a link](nowhere.md)\n```\n"
    )
    assert broken(page, root=tmp_path) == [
        "page.md:7: #no-such: no heading with anchor #no-such in page.md",
        "page.md:7: missing.md: no such file",
    ]


def test_a_repeated_heading_gets_a_numbered_anchor(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# cpraudit\n## Options\n### Options\n## [`run`](x.md) and more\n")
    assert anchors(page) == {"cpraudit", "options", "options-1", "run-and-more"}


def test_the_readme_is_a_front_door_of_at_most_150_lines():
    lines = (ROOT / "README.md").read_text("utf-8").splitlines()
    assert len(lines) <= README_LINES, (
        f"README.md has {len(lines)} lines; move detail into docs/ (at most {README_LINES})"
    )


def test_the_generator_loads_no_browser_machinery_until_it_reads_the_command_line():
    import subprocess
    import sys

    probe = "import sys, crawler.reference; print([m for m in sys.modules if 'playwright' in m])"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"
