"""Brief files: ``briefs/<name>.yaml``, read through a schema -> :class:`~briefgen.model.Brief`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from briefgen.findings import Finding, did_you_mean
from briefgen.load.read import Unreadable, bad_name, read_content
from briefgen.load.schema import BOOL, DATE, LIST, NONBLANK, TEXT, Field, Invalid, Kind, validate
from briefgen.load.yaml import key_line, key_node, load_yaml, yaml_error_line
from briefgen.model import ID_RE, MAX_SECTION_BYTES, OUTPUT_DATES, SECTIONS_DIR, Brief, relpath
from briefgen.rules.audiences import unknown_audience
from briefgen.rules.placeholders import BRIEF_PLACEHOLDERS, placeholder_findings


def _output_date(value: Any) -> dt.date:
    """A date a build can stamp on its outputs (``OUTPUT_DATES``)."""
    date: dt.date = DATE.read(value)
    if not OUTPUT_DATES[0] <= date <= OUTPUT_DATES[1]:
        raise Invalid(
            f"date {date.isoformat()} cannot date the outputs: give a date from "
            f"{OUTPUT_DATES[0].isoformat()} to {OUTPUT_DATES[1].isoformat()}"
        )
    return date


#: The longest ``short_title:``: about what the footer's third of a page holds (a longer
#: title is cut there at a word, with an ellipsis).
MAX_SHORT_TITLE = 50


def _short_title(value: Any) -> str:
    """One line of text, not blank, at most MAX_SHORT_TITLE characters."""
    text: str = NONBLANK.read(value)
    if len(text.splitlines()) > 1 or len(text) > MAX_SHORT_TITLE:
        raise Invalid
    return text


SHORT_TITLE = Kind(
    _short_title,
    f"short_title must be one line of text of at most {MAX_SHORT_TITLE} characters "
    "(the PDF footer shows it on every page)",
)


def _some(value: Any) -> list[Any]:
    items: list[Any] = LIST.read(value)
    if not items:
        raise Invalid
    return items


BRIEF_SCHEMA = (
    Field(
        "title", NONBLANK, required=True, message="missing required field 'title': add 'title: ...'"
    ),
    Field("subtitle", TEXT),
    Field("short_title", SHORT_TITLE),
    Field(
        "audience",
        TEXT,
        required=True,
        message="missing required field 'audience' (one audience name)",
    ),
    Field("date", Kind(_output_date, DATE.wording), nullable=True),
    Field("purpose", TEXT),
    Field("executive_summary", BOOL, default=False),
    Field(
        "sections",
        Kind(_some),
        required=True,
        message="'sections' must list at least one section id",
        default=[],
    ),
)


def load_brief(
    path: Path, root: Path, sections: Iterable[str], audiences: Iterable[str]
) -> tuple[Brief | None, list[Finding]]:
    """The brief file at ``path`` (None when it cannot be built) and the problems found in
    it; ``sections`` are the ids of the section files, ``audiences`` those defined."""
    rel = relpath(root, path)

    def finding(line: int, message: str) -> Finding:
        return Finding(rel, line, 1, "brief-file", message)

    if not ID_RE.match(path.stem):
        return None, [finding(1, bad_name(path, "brief name"))]
    try:
        text = read_content(root, path, rel, "brief", MAX_SECTION_BYTES)
        data, node = load_yaml(text)
    except Unreadable as exc:
        return None, [finding(exc.line, exc.message)]
    except yaml.YAMLError as exc:
        return None, [finding(*yaml_error_line(exc))]
    if not isinstance(data, dict):
        message = "a brief must be a mapping of fields (title:, audience:, sections:)"
        return None, [finding(1, message)]
    values, problems = validate(data, node, BRIEF_SCHEMA)
    findings = [finding(line, message) for line, message in problems]
    audience, audience_line = values["audience"], key_line(node, "audience")
    if audience is not None and audience not in (known := tuple(audiences)):
        findings.append(unknown_audience(rel, audience_line, audience, known))
    ids, lines = _section_ids(rel, values["sections"], node, tuple(sections), findings)
    findings += placeholder_findings(
        rel, values, lambda name: key_line(node, name), BRIEF_PLACEHOLDERS
    )
    if any(f.rule == "brief-file" for f in findings) or values["title"] is None:
        return None, findings
    if audience is None:
        return None, findings
    brief = Brief(
        name=path.stem,
        path=path,
        rel=rel,
        title=values["title"],
        subtitle=values["subtitle"],
        short_title=values["short_title"],
        audience=audience,
        date=values["date"],
        purpose=values["purpose"],
        executive_summary=values["executive_summary"],
        sections=tuple(ids),
        section_lines=tuple(lines),
        audience_line=audience_line,
    )
    return brief, findings


def _section_ids(
    rel: str, items: list[Any], node: yaml.Node | None, known: tuple[str, ...], out: list[Finding]
) -> tuple[list[str], list[int]]:
    """The ids ``sections:`` lists that name a section file, and the line of each; a
    finding in ``out`` for each entry that does not."""
    seq = key_node(node, "sections")
    ids: list[str] = []
    lines: list[int] = []
    first_line: dict[str, int] = {}
    for i, item in enumerate(items):
        line = (
            int(seq.value[i].start_mark.line) + 1
            if isinstance(seq, yaml.SequenceNode)
            else key_line(node, "sections")
        )
        if not isinstance(item, str):
            out.append(
                Finding(rel, line, 1, "brief-file", "each entry of 'sections' must be a section id")
            )
            continue
        if item in first_line:
            message = f"section '{item}' is listed twice (first at line {first_line[item]})"
            out.append(Finding(rel, line, 1, "brief-file", message))
            continue
        first_line[item] = line
        if item not in known:
            out.append(
                Finding(
                    rel,
                    line,
                    1,
                    "unknown-section",
                    f"unknown section '{item}'{did_you_mean(item, known)}: "
                    f"no file {SECTIONS_DIR}/{item}.md: correct the id, or create the "
                    f"section with 'briefgen new section {item}'",
                )
            )
            continue
        ids.append(item)
        lines.append(line)
    return ids, lines
