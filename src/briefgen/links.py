"""Link reference definitions, which pandoc resolves across the whole brief.

A section is checked on its own, but a brief is one document, and pandoc resolves a
reference link (``[portal]``, ``[text][portal]``, ``[portal][]``) against every definition
(``[portal]: https://...``) in the document. So a definition in one section could turn text
of another (plain text when that section is read alone, as the check reads it) into a link
the check never saw, or replace another section's definition of the same label (pandoc
keeps the last one). Hence the rule: a label defined in one section is neither defined nor
used in any other. Each section defines the links it uses, or writes them inline.

Labels compare as pandoc compares them: case folded, runs of white space made one space.
Code (fenced blocks, inline code) and HTML comments hold no definition and no use.

The check itself parses many sections in one pandoc process, where the same resolution
would happen: files that share a label are parsed one by one there (``entangled``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.findings import Finding
from briefgen.scan.locate import COMMENT_RE, Locator, blanked, code_spans

if TYPE_CHECKING:
    from briefgen.model import Section

# ``[label]:`` then a destination (on the same line or the next), at the start of a line,
# after any indentation and block quote or list markers (a definition inside a quote or a
# list item counts document-wide too). A footnote (``[^1]:``) is not one.
_DEFINITION_RE = re.compile(
    r"(?m)^(?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*"
    r"\[(?!\^)((?:[^\[\]\\\n]|\\.|\n(?![ \t]*\n))+)\]:(?=[ \t]*(?:\n[ \t]*)?\S)"
)
# any bracketed text that is not an inline link ``[text](url)`` or a span ``[text]{.x}``:
# a shortcut ``[label]``, either part of ``[text][label]``, the label of ``[label][]``
_BRACKETS_RE = re.compile(r"(?<!\\)\[((?:[^\[\]\\]|\\.)+)\](?![({])")
# what every definition holds, found ten times faster: most files have none (a footnote
# ``[^1]:`` is not one), and one search tells
_MAY_DEFINE_RE = re.compile(r"\[(?!\^)(?:[^\[\]\\]|\\.)+\]:")
SHOWN = 3  # other places named in one finding


def label_key(label: str) -> str:
    """A label as pandoc matches it: case folded, white space collapsed."""
    return " ".join(label.split()).casefold()


def entangled(files: Sequence[Sequence[str]]) -> set[int]:
    """The files (each given as its texts: body, summary) that define a link label another
    file defines or uses, or use one another defines. Read in one pandoc process, such
    files would resolve each other's links, which they never do alone: the check parses
    them one by one. (Code is not left out here: a file counted wrongly is only parsed
    alone, a little slower.)"""
    defined: dict[str, set[int]] = {}
    for i, texts in enumerate(files):
        for text in texts:
            if _may_define(text):
                for m in _DEFINITION_RE.finditer(text):
                    defined.setdefault(label_key(m.group(1)), set()).add(i)
    if not defined:
        return set()
    involved = {key: set(owners) for key, owners in defined.items()}
    for i, texts in enumerate(files):
        for text in texts:
            if "[" in text:
                for m in _BRACKETS_RE.finditer(text):
                    key = label_key(m.group(1))
                    if key in involved:
                        involved[key].add(i)
    return {i for owners in involved.values() if len(owners) > 1 for i in owners}


def _may_define(text: str) -> bool:
    return "]:" in text and _MAY_DEFINE_RE.search(text) is not None


@dataclass(frozen=True)
class _Place:
    rel: str
    line: int
    label: str  # as written

    def __str__(self) -> str:
        return f"{self.rel}:{self.line}"


def link_definition_findings(sections: Iterable[Section]) -> list[Finding]:
    """A finding at each definition whose label another section defines too, or uses."""
    sections = list(sections)
    readable = {s.id: _Readable(s) for s in sections if _may_define(s.body)}
    definitions: dict[str, list[_Place]] = {}
    for section in sections:
        read = readable.get(section.id)
        if read is None:
            continue
        for m in _DEFINITION_RE.finditer(read.text, section.body_offset):
            place = _Place(section.rel, read.line(m.start(1)), m.group(1))
            definitions.setdefault(label_key(m.group(1)), []).append(place)
    if not definitions:
        return []

    uses: dict[str, list[_Place]] = {}  # label -> first use in each section
    for section in sections:
        for key, place in _uses(section, readable.get(section.id), definitions).items():
            uses.setdefault(key, []).append(place)

    out: list[Finding] = []
    for key, places in definitions.items():
        out.extend(_label_findings(places, uses.get(key, [])))
    return out


def _label_findings(places: list[_Place], uses: list[_Place]) -> list[Finding]:
    """For one label: at its definition in each section, one finding if an earlier section
    defines it too, and one if sections that do not define it use it."""
    out: list[Finding] = []
    first = places[0]
    definers = {p.rel for p in places}
    users = [u for u in uses if u.rel not in definers]
    seen: set[str] = set()
    for place in places:
        if place.rel in seen:
            continue  # one finding per section and label
        seen.add(place.rel)
        shown = _shown(place.label)
        if place.rel != first.rel:
            out.append(
                Finding(
                    place.rel,
                    place.line,
                    1,
                    "link-definition",
                    f"link label '[{shown}]' is also defined at {first}: the sections of "
                    "a brief are one document, where one definition would replace the "
                    "other: give the links different labels, or write them inline",
                    place.label,
                )
            )
        if users:
            named = ", ".join(map(str, users[:SHOWN]))
            if len(users) > SHOWN:
                named += f" and {len(users) - SHOWN} more"
            out.append(
                Finding(
                    place.rel,
                    place.line,
                    1,
                    "link-definition",
                    f"link label '[{shown}]' is used at {named} without a definition "
                    "there: in a brief, this definition would make that text a link the "
                    "check never saw: define the link in each section that uses it, or "
                    "write it inline",
                    place.label,
                )
            )
    return out


class _Readable:
    """A section file with what holds no link blanked (front matter, fenced code, inline
    code, comments), offsets and lines kept."""

    def __init__(self, section: Section) -> None:
        source = section.source
        locator = Locator(source, section.body_offset)
        hidden = [(0, section.body_offset), *locator.code_blocks()]
        hidden += [m.span() for m in COMMENT_RE.finditer(source, section.body_offset)]
        text = blanked(source, hidden)
        self.text = blanked(text, code_spans(text))
        self.locator = locator

    def line(self, offset: int) -> int:
        return self.locator.position(offset)[0]


def _uses(
    section: Section, read: _Readable | None, definitions: dict[str, list[_Place]]
) -> dict[str, _Place]:
    """The first use, in the section's body or summary, of each label defined anywhere."""
    found, read = _summary_uses(section, read, definitions)
    if read is None:  # most sections name no label defined anywhere: no need to read them
        brackets = _BRACKETS_RE.finditer(section.source, section.body_offset)
        if not any(label_key(m.group(1)) in definitions for m in brackets):
            return found
        read = _Readable(section)
    text = read.text
    for m in _BRACKETS_RE.finditer(text, section.body_offset):
        key = label_key(m.group(1))
        if key not in definitions or key in found:
            continue
        if text[m.end() : m.end() + 1] == ":" and _defines(text, m.start()):
            continue  # the label of a definition, not a use
        found[key] = _Place(section.rel, read.line(m.start()), m.group(1))
    return found


def _summary_uses(
    section: Section, read: _Readable | None, definitions: dict[str, list[_Place]]
) -> tuple[dict[str, _Place], _Readable | None]:
    """The first use in the section's summary of each label defined anywhere (at the
    summary's line), and the section read if that needed reading it."""
    found: dict[str, _Place] = {}
    if not section.summary or "[" not in section.summary:
        return found, read
    summary = blanked(section.summary, code_spans(section.summary))
    for m in _BRACKETS_RE.finditer(summary):
        key = label_key(m.group(1))
        if key in definitions and key not in found:
            read = read or _Readable(section)
            line = read.line(section.summary_offset or 0)
            found[key] = _Place(section.rel, line, m.group(1))
    return found, read


def _defines(text: str, bracket: int) -> bool:
    """Whether the ``[`` at ``bracket`` opens a link reference definition."""
    line_start = text.rfind("\n", 0, bracket) + 1
    m = _DEFINITION_RE.match(text, line_start)
    return m is not None and m.start(1) == bracket + 1


def _shown(label: str) -> str:
    one_line = " ".join(label.split())
    return one_line if len(one_line) <= 40 else one_line[:37] + "..."
