"""docs/reference/, generated from the code, so that it cannot say other than the code does:

- cli.md: every subcommand's usage and options, from `crawler.cli.build_parser()`;
- audit-toml.md: every table and key of audit.toml with its type, default and description, from
  the pydantic models of `crawler.config.schema` (a system's keys are `TargetOptions`);
- findings-schema.json: the JSON schema of findings.json (`SystemResult`).

    python -m crawler.reference [DIR]        # what `make docs` runs; DIR default docs/reference

The output is the same on every machine: no time, no path, no wrapping by the terminal's width.
A key without a description is refused: its description is its only documentation.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import types
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal, Union, cast, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from crawler.config import environments
from crawler.config.schema import AuditConfig
from crawler.model import CrawlSettings, LoginCheck, SystemResult

FOLDER = Path("docs") / "reference"
WIDTH = 100  # of usage lines, whatever the terminal
TOP = "Top level"
PYTEST = "pytest --cpraudit"
GENERATED = "Generated from the code by `make docs` (`python -m crawler.reference`); do not edit."

TOML_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", date: "date"}
# Forms a validator accepts besides the model's own table.
SHORTHAND = {
    LoginCheck: 'a string (a CSS selector) or a table, e.g. { text = "Log af" }',
    CrawlSettings: "a table, or false for no crawl",
}


def pages() -> dict[str, str]:
    """File name -> its text, as docs/reference/ holds them."""
    return {name: make() for name, make in FILES.items()}


def findings_schema() -> str:
    return json.dumps(SystemResult.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pages().items():
        (folder / name).write_text(text, "utf-8")
        written.append(folder / name)
    return written


# The command line


class _Fixed(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=WIDTH, max_help_position=24)


def cli_markdown() -> str:
    from crawler.cli import build_parser  # loads the browser machinery: only when asked

    parser = build_parser()
    commands = _subcommands(parser)
    lines = [
        "# Command line",
        "",
        GENERATED,
        "",
        "```",
        _usage(parser),
        "```",
        "",
        inspect.cleandoc(parser.description or ""),
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    lines += [f"| [`{name}`](#cpraudit-{name}) | {_md(summary)} |" for name, summary, _ in commands]
    lines.append(
        f"| [`{PYTEST}`](#{slug(PYTEST)}) | the same audit as pytest tests, a test per system |"
    )
    for name, summary, sub in commands:
        lines += ["", f"## cpraudit {name}", "", _md(_sentence(sub.description or summary)), ""]
        lines += ["```", _usage(sub), "```", ""]
        lines += [_argument(sub, action) for action in _shown(sub)]
    lines += _pytest_options()
    return "\n".join(lines) + "\n"


class _Options:
    """What pytest's parser offers a plugin's `pytest_addoption`, onto an argparse parser."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser

    def getgroup(self, name: str, description: str = "") -> _Options:
        return self

    def addoption(self, *names: str, **kwargs: Any) -> None:
        self.parser.add_argument(*names, **kwargs)


def _pytest_options() -> list[str]:
    """The pytest plugin's options, as a section of the command line."""
    from crawler.run import pytest_plugin

    parser = argparse.ArgumentParser(prog="pytest", add_help=False)
    pytest_plugin.pytest_addoption(cast(Any, _Options(parser)))
    summary = _sentence((pytest_plugin.__doc__ or "").split("\n\n")[0])
    how_to = "How-to: [Supplier acceptance test in CI](../use/supplier-ci.md#as-pytest-tests)."
    lines = ["", f"## {PYTEST}", "", f"{_md(summary)} {how_to}", ""]
    lines += ["```", "usage: pytest --cpraudit audit.toml [options]", "```", ""]
    return lines + [_argument(parser, action) for action in _shown(parser)]


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, Any]]:
    """(name, one-line help, parser) of each subcommand, in --help's order."""
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    summaries = {c.dest: c.help or "" for c in sub._choices_actions}
    return [(name, summaries[name], p) for name, p in sub.choices.items()]


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = _Fixed(parser.prog)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help().strip()


def _shown(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if action.help != argparse.SUPPRESS and not isinstance(action, argparse._HelpAction):
            yield action


def _argument(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    formatter = _Fixed(parser.prog)
    if action.option_strings:
        metavar = (
            "" if action.nargs == 0 else " " + formatter._format_args(action, action.dest.upper())
        )
        name = ", ".join(action.option_strings) + metavar
    else:
        name = formatter._format_args(action, action.dest)
    text = _md(formatter._expand_help(action)) if action.help else ""
    required = " (required)" if action.required and action.option_strings else ""
    return f"- `{name}`{required}: {text}"


def _sentence(text: str) -> str:
    text = inspect.cleandoc(text)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# audit.toml


def audit_toml_markdown() -> str:
    lines = [
        "# audit.toml",
        "",
        GENERATED,
        "The descriptions are those of the pydantic models in `crawler/config/schema.py` and",
        "`crawler/model/options.py`, which check the file when it loads. A key not listed here is",
        "refused, so a typo is an error rather than a setting silently ignored. How to use them:",
        "[configure.md](../configure.md); a working file:",
        "[audit.example.toml](../../audit.example.toml).",
    ]
    lines += _table(AuditConfig, TOP, "Keys before the first table.")
    lines += _environments()
    return "\n".join(lines) + "\n"


def _table(model: type[BaseModel], title: str, intro: str) -> list[str]:
    """A section for `model`'s keys, then one for each key that is a table of its own."""
    nested: list[tuple[type[BaseModel], str, str]] = []
    lines = ["", f"## `{title}`" if title != TOP else f"## {TOP}", ""]
    if intro:
        lines += [_md(intro), ""]
    fields = sorted(model.model_fields.items(), key=_first_named_then_required)
    for name, field in fields:
        if not field.description:
            raise ValueError(f"{model.__name__}.{name} has no description: give it one")
        inner = _model_in(field.annotation)
        if inner is not None:
            path = name if title == TOP else f"{title.strip('[]')}.{name}"
            heading = _heading(path, field.annotation)
            nested.append((inner, heading, _model_intro(inner, field.description)))
            kind = f"see [`{heading}`](#{slug(heading)})"
        else:
            kind = _type(field.annotation)
        lines.append(f"- `{name}` ({kind}{_default(field)}): {_md(field.description)}")
    for inner, heading, text in nested:
        lines += _table(inner, heading, text)
    return lines


def _first_named_then_required(item: tuple[str, Any]) -> tuple[bool, bool]:
    """Its name first, then what must be given."""
    name, field = item
    return name not in ("id", "name"), not field.is_required()


def _heading(path: str, annotation: Any) -> str:
    """How the table is written: [[citizens]], [systems.crawl], or systems.processors for an
    array of tables inside one (written inline)."""
    if _is_array(annotation):
        return f"[[{path}]]" if "." not in path else path
    return f"[{path}]"


def _model_intro(model: type[BaseModel], description: str) -> str:
    """The model's docstring (else the key's description), and the other forms it takes."""
    intro = " ".join((vars(model).get("__doc__") or description).split())
    return intro + (f" Written as {SHORTHAND[model]}." if model in SHORTHAND else "")


def _environments() -> list[str]:
    every = ", ".join(f"`{k}`" for k in environments.FOR_EVERY_SYSTEM)
    citizen = ", ".join(f"`{k}`" for k in environments.CITIZEN_KEYS)
    return [
        "",
        "## `[environments.NAME]`",
        "",
        "What differs in one environment, chosen with `--env NAME`. Every environment is checked "
        "when the file loads, as if its keys were written in the systems themselves.",
        "",
        f"- {every}: replace these keys of every system.",
        "- `[environments.NAME.systems.SYSTEM]`: any key of that system but `name`; it replaces "
        "the environment's and the system's own.",
        f"- `[environments.NAME.citizens.ID]`: {citizen} of that citizen.",
    ]


def _args(annotation: Any) -> tuple[Any, ...]:
    """The members of `X | None`, without None."""
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(a for a in get_args(annotation) if a is not type(None))
    return (annotation,)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for member in _args(annotation):
        inner = get_args(member)[0] if get_origin(member) in (list, tuple) else member
        if inspect.isclass(inner) and issubclass(inner, BaseModel):
            return inner
    return None


def _is_array(annotation: Any) -> bool:
    return any(get_origin(m) in (list, tuple) for m in _args(annotation))


def _type(annotation: Any) -> str:
    members = _args(annotation)
    if len(members) > 1:
        return " or ".join(_type(m) for m in members)
    (kind,) = members
    origin, args = get_origin(kind), get_args(kind)
    if origin is Literal:
        values = [json.dumps(a) for a in args]
        return ", ".join(values[:-1]) + " or " + values[-1]
    if origin in (list, tuple):
        return f"array of {_plural(_type(args[0]))}"
    if origin is dict:
        return "table" if args[1] is Any else f"table of {_plural(_type(args[1]))}"
    if hasattr(kind, "__metadata__"):  # Annotated[str, ...]
        return _type(args[0])
    if kind not in TOML_TYPES:
        raise ValueError(f"no TOML name for {kind!r}: add one to TOML_TYPES")
    return TOML_TYPES[kind]


def _plural(kind: str) -> str:
    return kind if '"' in kind else f"{kind}s"


def _default(field: Any) -> str:
    if field.is_required():
        return ", required"
    value = field.default_factory() if field.default_factory else field.default
    if value is None or value is PydanticUndefined:
        return ", optional"
    if isinstance(value, BaseModel):
        return ""  # the table's own keys say
    return f", default `{_toml(value)}`"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _md(text: str) -> str:
    """Text as Markdown shows it as written: no <tag>, no emphasis."""
    return text.replace("<", "&lt;").replace("*", "\\*")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to dashes."""
    text = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


FILES = {
    "cli.md": cli_markdown,
    "audit-toml.md": audit_toml_markdown,
    "findings-schema.json": findings_schema,
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in write(Path(args[0]) if args else FOLDER):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
