"""Fenced divs (``:::``) and fenced code blocks, found in a section's source as pandoc's
Markdown reader will read them (its AST gives no positions): the line of each div for the
checker's findings, the fences pandoc reads as text, and where code lies.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_CODE_FENCE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_MARKER_LINE_RE = re.compile(r"(?m)^[ \t]*(?:`{3,}|~{3,}|:{3,})")
_DIV_FENCE_RE = re.compile(r"^[ \t]*(:{3,})[ \t]*(.*?)[ \t]*$")
_FENCE_CLASS_RE = re.compile(r"(?<![^\s{])\.([\w-]+)")
_FENCE_WORD_RE = re.compile(r"[\w-]+")
_FENCE_ATTR_RE = re.compile(r"""([\w:-]+)=(?:"([^"]*)"|'([^']*)'|([^\s}]+))""")


@dataclass(frozen=True)
class Fence:
    """A fenced div's opening line as pandoc reads it."""

    line: int
    offset: int  # of the line's first character
    classes: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]
    closed: bool  # a closing fence was found for it
    text: str  # the line as written


@dataclass(frozen=True)
class LooseFence:
    """A ``:::`` line that pandoc reads as paragraph text, not as a fence."""

    line: int
    text: str


def scan_fences(
    source: str, body_offset: int, line_starts: list[int]
) -> tuple[list[Fence], list[LooseFence], list[tuple[int, int]]]:
    """Fenced divs, ``:::`` lines that pandoc reads as text, and fenced code blocks, by
    pandoc's rules: an opening fence needs a block to start (a blank line, another fence,
    or the body's start before it), a closing fence closes the innermost open div even
    right after a paragraph line, a code fence opens a code block anywhere; nothing inside
    a code block counts. Only the lines that start with a fence are looked at."""
    fences: list[Fence] = []
    loose: list[LooseFence] = []
    code: list[tuple[int, int]] = []
    stack: list[int] = []  # indices into fences
    closed: set[int] = set()
    code_fence: str | None = None
    code_start = 0
    first = max(bisect_right(line_starts, body_offset) - 1, 0)
    block_started = {first}  # lines after which a block may start: fences read as fences
    for marker in _MARKER_LINE_RE.finditer(source, line_starts[first]):
        index, start, end = _line_of(source, line_starts, marker.start())
        line = source[start:end]
        if code_fence is not None:
            if _closes_code(line, code_fence):
                code.append((code_start, end))
                code_fence = None
                block_started.add(index + 1)
            continue
        in_paragraph = index not in block_started and _after_text(source, line_starts, index, first)
        opening = _CODE_FENCE_RE.match(line)
        if opening:
            if _opens_code(source, opening.group(1), end, in_paragraph):
                code_fence, code_start = opening.group(1), start
            continue
        m = _DIV_FENCE_RE.match(line)
        if m is None:
            continue
        rest = m.group(2).rstrip(":").strip()
        if not rest:  # a closing fence
            if stack:
                closed.add(stack.pop())
                block_started.add(index + 1)
            continue
        if in_paragraph or (line[:1] in " \t" and not stack):
            loose.append(LooseFence(index + 1, line.strip()))
            continue
        classes, attributes = _fence_attributes(rest)
        stack.append(len(fences))
        fences.append(Fence(index + 1, start, classes, attributes, False, line.strip()))
        block_started.add(index + 1)
    if code_fence is not None:
        code.append((code_start, len(source)))
    fences = [
        Fence(f.line, f.offset, f.classes, f.attributes, i in closed, f.text)
        for i, f in enumerate(fences)
    ]
    return fences, loose, code


def _line_of(source: str, line_starts: list[int], offset: int) -> tuple[int, int, int]:
    """The 0-based index, start and end (before its newline) of the line holding ``offset``."""
    index = bisect_right(line_starts, offset) - 1
    end = line_starts[index + 1] - 1 if index + 1 < len(line_starts) else len(source)
    return index, line_starts[index], end


def _closes_code(line: str, fence: str) -> bool:
    """Whether ``line`` closes the code block that ``fence`` opened."""
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def _after_text(source: str, line_starts: list[int], index: int, first: int) -> bool:
    """Whether the line before line ``index`` (within the body) holds text."""
    if index <= first:
        return False
    return bool(source[line_starts[index - 1] : line_starts[index]].strip())


def _opens_code(source: str, fence: str, end: int, in_paragraph: bool) -> bool:
    """Whether a code fence (its backticks or tildes; its line ends at ``end``) opens a
    code block: pandoc makes one only of a fence that is closed, and of a ~~~ fence only
    where a block may start; anything else stays text."""
    closing = re.compile(
        r"(?m)^[ \t]{0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$"
    )
    return bool(closing.search(source, end)) and not (fence[0] == "~" and in_paragraph)


def _fence_attributes(rest: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    if rest.startswith("{"):
        inside = rest[1 : rest.rfind("}")] if "}" in rest else rest[1:]
        classes = tuple(_FENCE_CLASS_RE.findall(inside))
        attributes = tuple(
            (m.group(1), m.group(2) or m.group(3) or m.group(4) or "")
            for m in _FENCE_ATTR_RE.finditer(inside)
        )
        return classes, attributes
    word = _FENCE_WORD_RE.match(rest)
    return ((word.group(),) if word else ()), ()
