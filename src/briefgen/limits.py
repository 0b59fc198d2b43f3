"""Limits checked before pandoc sees a section: inputs on which pandoc's Markdown reader
takes exponential or quadratic time, refused with a finding instead of hanging the check.

Measured with the bundled pandoc 3.9 on this project's machines (one paragraph each):

- unclosed ``[`` (or ``^[``): 10 take 0.16 s, 15 take 2.5 s, 20 run past 60 s;
- spans nested in spans (``[[[x]{.a}]{.a}]{.a}``): 8 deep 0.1 s, 10 deep 0.4 s, 12 deep 1.6 s;
- ``<`` in one paragraph: 1,000 take 1 s, 5,000 take 25 s (quadratic);
- block quotes nested 1,000 deep are read quickly but nest pandoc's JSON past what Python
  decodes (caught apart, in scan/batch.py).

Real prose stays far below every limit. Pandoc also runs with a timeout and a heap limit
(scan/pandoc.py), for whatever these limits do not foresee.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from briefgen.scan.locate import Locator, blanked

UNCLOSED_BRACKETS = 6  # per paragraph
BRACKET_DEPTH = 8
ANGLE_BRACKETS = 200  # per paragraph
QUOTE_DEPTH = 40

_PARAGRAPH_RE = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|\Z))+")
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_BRACKET_RE = re.compile(r"\\.|[\[\]]")
_QUOTE_MARKERS_RE = re.compile(r"(?m)^[ \t]*((?:>[ \t]*){" + str(QUOTE_DEPTH) + ",})")


class LimitProblem(NamedTuple):
    line: int
    message: str


def section_limits(
    source: str, body_offset: int, summary: str | None, summary_offset: int | None
) -> LimitProblem | None:
    """The first limit a section file passes, in its body or its summary, if any; the line
    counts the front matter."""
    problem = read_limits(source[body_offset:], 1 + source.count("\n", 0, body_offset))
    if problem is None and summary and summary_offset is not None:
        problem = read_limits(summary, 1 + source.count("\n", 0, summary_offset))
    return problem


def read_limits(text: str, first_line: int = 1) -> LimitProblem | None:
    """The first limit ``text`` passes (``first_line``: the line it starts on), if any."""
    if "[" not in text and "<" not in text and ">" not in text:
        return None
    quote = _QUOTE_MARKERS_RE.search(text)
    if quote:
        return LimitProblem(
            first_line + text.count("\n", 0, quote.start()),
            f"block quotes nested more than {QUOTE_DEPTH} deep: pandoc cannot be given this "
            "safely; flatten them",
        )
    code = Locator(text).code_blocks() if "```" in text or "~~~" in text else []
    if code:  # their brackets are code: blanked, line breaks kept
        text = blanked(text, code)
    for paragraph in _PARAGRAPH_RE.finditer(text):
        chunk = paragraph.group()
        if "`" in chunk:
            chunk = _CODE_SPAN_RE.sub(lambda m: " " * len(m.group()), chunk)
        line = first_line + text.count("\n", 0, paragraph.start())
        problem = _paragraph_problem(chunk)
        if problem:
            return LimitProblem(line, problem)
    return None


def _paragraph_problem(chunk: str) -> str | None:
    if chunk.count("<") > ANGLE_BRACKETS:
        return (
            f"more than {ANGLE_BRACKETS} '<' in one paragraph: pandoc's reader slows down "
            "with each one; split the paragraph, or write &lt;"
        )
    if "[" not in chunk:
        return None
    depth = deepest = 0
    for m in _BRACKET_RE.finditer(chunk):
        if m.group() == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif m.group() == "]" and depth:
            depth -= 1
    unclosed = depth
    if unclosed > UNCLOSED_BRACKETS:
        return (
            f"{unclosed} '[' never closed in one paragraph: pandoc's reader takes "
            "exponential time on them; close them, or write \\["
        )
    if deepest > BRACKET_DEPTH:
        return (
            f"brackets nested {deepest} deep (links or spans inside each other): pandoc's "
            f"reader takes exponential time past {BRACKET_DEPTH}; flatten them"
        )
    return None
