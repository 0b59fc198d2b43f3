"""Section files: their front matter, read through a schema -> :class:`~briefgen.model.Section`.

Pure functions of the file: the front-matter memo (:mod:`briefgen.cache.memos`) is an
adapter entered by :func:`briefgen.load.load_project`, between :func:`read_section` and
:func:`parse_section`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from briefgen.findings import Finding
from briefgen.load.read import Unreadable, bad_name, read_content
from briefgen.load.schema import ANY, DATE, MARKING, NONBLANK, TEXT, Field, Invalid, Kind, validate
from briefgen.load.yaml import key_line, key_node, load_yaml, yaml_error_line
from briefgen.model import ALL_AUDIENCES, ID_RE, MAX_SECTION_BYTES, Section, relpath
from briefgen.rules.audiences import unknown_audience
from briefgen.rules.markings import LOWEST
from briefgen.rules.placeholders import SECTION_PLACEHOLDERS, placeholder_findings

EMPTY_AUDIENCES = (
    "an empty audiences list: leave the field out to show the section to every audience, "
    "or name the audiences"
)


def _audience_names(value: Any) -> tuple[str, ...]:
    """``[a, b]``, or one name; an empty list is not "every audience": the check and the
    reader must not differ."""
    names = ([value] if value.strip() else []) if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
        raise Invalid
    if not names:
        raise Invalid(EMPTY_AUDIENCES)
    return tuple(names)


SECTION_SCHEMA = (
    Field(
        "title",
        NONBLANK,
        required=True,
        message="missing required field 'title': add a line 'title: ...' to the front matter",
    ),
    Field("summary", TEXT, nullable=True),
    Field("marking", MARKING, default=LOWEST),
    Field(
        "audiences",
        Kind(_audience_names),
        message="audiences must be a list of audience names, or [all]",
        default=(ALL_AUDIENCES,),
    ),
    Field("owner", ANY, nullable=True),
    Field("reviewed", DATE, nullable=True),
)

_FENCE_RE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.M)


def split_front_matter(text: str) -> tuple[str, int, int] | None:
    """Return (front matter YAML, its offset, body offset), or None when there is none.
    ``text`` has LF line endings (:func:`briefgen.files.decode_text`)."""
    if not text.startswith("---\n"):
        return None
    start = len("---\n")
    match = _FENCE_RE.search(text, start)
    if match is None:
        return None
    end = match.end()
    if end < len(text) and text[end] == "\n":
        end += 1
    return text[start : match.start()], start, end


@dataclass(frozen=True)
class SectionFile:
    """A section file read, its front matter split from its body."""

    id: str  # the file stem
    path: Path
    rel: str  # project-relative POSIX path
    source: str  # the whole file, LF endings
    front_matter: str  # the YAML between the fences
    fm_offset: int  # character offset of ``front_matter`` in ``source``
    body_offset: int


def read_section(path: Path, root: Path) -> tuple[SectionFile | None, list[Finding]]:
    """The section file at ``path``, or the finding that says why it cannot be one."""
    rel = relpath(root, path)
    if not ID_RE.match(path.stem):
        return None, [Finding(rel, 1, 1, "section-file", bad_name(path, "section id"))]
    try:
        source = read_content(root, path, rel, "section", MAX_SECTION_BYTES)
    except Unreadable as exc:
        return None, [Finding(rel, exc.line, 1, "section-file", exc.message)]
    split = split_front_matter(source)
    if split is None:
        message = (
            "missing front matter: start the file with '---', the fields (title: ...), "
            "and a closing '---'"
        )
        return None, [Finding(rel, 1, 1, "front-matter", message)]
    fm_text, fm_offset, body_offset = split
    return SectionFile(path.stem, path, rel, source, fm_text, fm_offset, body_offset), []


def parse_section(
    file: SectionFile, audiences: Iterable[str]
) -> tuple[Section | None, list[Finding]]:
    """The section a file's front matter describes (None without a usable title), and the
    problems found in it."""

    def finding(line: int, message: str) -> Finding:
        return Finding(file.rel, line, 1, "front-matter", message)

    try:
        data, node = load_yaml(file.front_matter)
    except yaml.YAMLError as exc:
        line, message = yaml_error_line(exc)
        return None, [finding(line + 1, message)]
    if not isinstance(data, dict):
        message = "front matter must be a mapping of fields (title: ..., summary: ...)"
        return None, [finding(2, message)]
    values, problems = validate(data, node, SECTION_SCHEMA, offset=1)  # 1: the opening '---'
    findings = [finding(line, message) for line, message in problems]
    known = tuple(audiences)
    for name in values["audiences"]:
        if name != ALL_AUDIENCES and name not in known:
            line = key_line(node, "audiences") + 1
            findings.append(unknown_audience(file.rel, line, name, (*known, ALL_AUDIENCES)))
    summary_offset = None
    if values["summary"] is not None:
        value = key_node(node, "summary")
        assert value is not None
        summary_offset = file.fm_offset + int(value.start_mark.index)
    findings += placeholder_findings(
        file.rel, values, lambda name: key_line(node, name) + 1, SECTION_PLACEHOLDERS
    )
    if values["title"] is None:
        return None, findings
    owner = values["owner"]
    section = Section(
        id=file.id,
        path=file.path,
        rel=file.rel,
        source=file.source,
        body_offset=file.body_offset,
        title=values["title"],
        summary=values["summary"],
        summary_offset=summary_offset,
        marking=values["marking"],
        audiences=values["audiences"],
        owner=str(owner) if owner is not None else None,
        reviewed=values["reviewed"],
    )
    return section, findings


def load_section(
    path: Path, root: Path, audiences: Iterable[str]
) -> tuple[Section | None, list[Finding]]:
    """The section file at ``path`` and the problems found in it."""
    file, findings = read_section(path, root)
    if file is None:
        return None, findings
    return parse_section(file, audiences)
