"""Where a draft's sections start: its headings, and the paragraphs under each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefgen.importer.references import REF_RE, Paragraph

INTRODUCTION = "Introduction"  # title of the text standing before the first heading

_NUMBERED_MAX = 150
_TITLE_LIKE_MAX = 80

_MD_HEADING_RE = re.compile(r"^#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_NUMBERED_RE = re.compile(r"^\d+(?:\.\d+)*\.[ \t]+(\S.*)$")
_FENCE_RE = re.compile(r"^[ \t]*(```|~~~)")
_EMPHASIS_RE = re.compile(r"^(\*\*|__)(.+)\1$")


@dataclass
class Part:
    title: str
    line: int
    paragraphs: list[Paragraph]


def heading_text(line: str) -> str | None:
    match = _MD_HEADING_RE.match(line.strip())
    return match.group(1).strip() if match else None


def unwrap(line: str) -> str:
    """A line without surrounding whitespace and whole-line bold (``**1. Title**``)."""
    text = line.strip()
    match = _EMPHASIS_RE.match(text)
    return match.group(2).strip() if match else text


def _numbered(line: str) -> str | None:
    text = unwrap(line)
    match = _NUMBERED_RE.match(text)
    if not match or len(text) >= _NUMBERED_MAX or text.endswith(".") or REF_RE.search(text):
        return None
    return match.group(1).strip()


def _title_like(line: str) -> bool:
    text = unwrap(line)
    return (
        0 < len(text) < _TITLE_LIKE_MAX
        and (text[0].isupper() or text[0].isdigit())
        and not text.endswith((".", ",", ";", ":", "!", "?", "…"))
        and not text.startswith(("- ", "* ", "+ ", ">", "|"))
        and not REF_RE.search(text)
    )


def split_parts(lines: list[str], start: int) -> list[Part]:
    """The draft after its title, as sections of paragraphs."""
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    first = next((i for i in range(start, end) if lines[i].strip()), end)
    per_line = all(line.strip() for line in lines[first:end])  # no blank line: a line a paragraph
    headings = _headings(lines, start, end, per_line)

    parts: list[Part] = []
    paragraph: list[str] = []
    paragraph_line = 0
    in_fence = False

    def flush() -> None:
        if paragraph:
            if not parts:
                parts.append(Part(INTRODUCTION, paragraph_line, []))
            parts[-1].paragraphs.append(Paragraph(paragraph_line, "\n".join(paragraph)))
            paragraph.clear()

    for i in range(start, end):
        line = lines[i]
        if i in headings:
            flush()
            parts.append(Part(headings[i], i + 1, []))
            continue
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        elif not line.strip() and not in_fence:
            flush()
            continue
        if not paragraph:
            paragraph_line = i + 1
        paragraph.append(line.rstrip())
        if per_line and not in_fence:
            flush()
    flush()
    return parts


def _headings(lines: list[str], start: int, end: int, per_line: bool) -> dict[int, str]:
    """Index of each heading line -> its title (number and '#' marks removed)."""
    width = max((len(line.strip()) for line in lines[start:end]), default=0)
    numbered: dict[int, str] = {}
    headings: dict[int, str] = {}
    in_fence = False
    for i in range(start, end):
        line = lines[i]
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or not line.strip():
            continue
        markdown = heading_text(line)
        if markdown:
            headings[i] = markdown
            continue
        starts_block = per_line or i == start or not lines[i - 1].strip() or (i - 1) in headings
        if not starts_block:
            continue
        number_title = _numbered(line)
        if number_title:
            numbered[i] = number_title
        elif _title_like(line) and _heads_a_paragraph(lines, i, end, per_line, width):
            headings[i] = unwrap(line)
    headings.update(_alone(lines, numbered))
    return headings


def _heads_a_paragraph(lines: list[str], i: int, end: int, per_line: bool, width: int) -> bool:
    """Whether title-like line ``i`` is followed by paragraph text, so it is a heading."""
    nxt = next((j for j in range(i + 1, end) if lines[j].strip()), None)
    if nxt is None or heading_text(lines[nxt]) or _numbered(lines[nxt]):
        return False
    following = lines[nxt].strip()
    if following[0].islower():
        return False  # the sentence goes on: a wrapped line, not a heading
    # followed by another short line standing alone: not followed by a paragraph
    alone = per_line or nxt + 1 >= end or not lines[nxt + 1].strip()
    if alone and _title_like(following):
        return False
    # hard-wrapped text: the first line of a paragraph is as wide as the others
    return per_line or nxt != i + 1 or len(lines[i].strip()) <= 0.6 * width


def _alone(lines: list[str], numbered: dict[int, str]) -> dict[int, str]:
    """The numbered lines that are headings: two or more with nothing but blank lines
    between them are a list, kept as text."""
    runs: list[list[int]] = []
    for i in sorted(numbered):
        if runs and all(not lines[k].strip() for k in range(runs[-1][-1] + 1, i)):
            runs[-1].append(i)
        else:
            runs.append([i])
    return {run[0]: numbered[run[0]] for run in runs if len(run) == 1}
