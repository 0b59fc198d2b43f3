"""Limits checked before pandoc sees a section: inputs on which pandoc's Markdown reader
takes exponential or quadratic time, refused with a finding instead of hanging the check.

Measured with the bundled pandoc 3.9 on this project's machines (one paragraph each):

- unclosed ``[`` (or ``^[``): 10 take 0.16 s, 15 take 2.5 s, 20 run past 60 s;
- spans nested in spans (``[[[x]{.a}]{.a}]{.a}``): 8 deep 0.1 s, 10 deep 0.4 s, 12 deep 1.6 s;
- ``<`` in one paragraph: 1,000 take 1 s, 5,000 take 25 s (quadratic);
- block quotes nested 1,000 deep are read quickly but nest pandoc's JSON past what Python
  decodes (caught apart, in claims.py).

Real prose stays far below every limit. Pandoc also runs with a timeout and a heap limit
(claims.py), for whatever these limits do not foresee.
"""

from __future__ import annotations

import re
from typing import NamedTuple

UNCLOSED_BRACKETS = 6  # per paragraph
BRACKET_DEPTH = 8
ANGLE_BRACKETS = 200  # per paragraph
QUOTE_DEPTH = 40

_PARAGRAPH_RE = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|\Z))+")
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_BRACKET_RE = re.compile(r"\\.|[\[\]]")
_QUOTE_MARKERS_RE = re.compile(r"(?m)^[ \t]*((?:>[ \t]*){" + str(QUOTE_DEPTH) + ",})")
_FENCE_RE = re.compile(r"(?m)^[ \t]{0,3}(`{3,}|~{3,})")


class LimitProblem(NamedTuple):
    line: int
    message: str


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
    if "```" in text or "~~~" in text:
        text = _without_code_blocks(text)
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


def _without_code_blocks(text: str) -> str:
    """Fenced code blocks blanked (their brackets are code), line breaks kept."""
    out = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        m = _FENCE_RE.match(line)
        if fence is None and m:
            fence = m.group(1)[0] * len(m.group(1))
            out.append("\n" if line.endswith("\n") else "")
        elif fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            out.append("\n" if line.endswith("\n") else "")
        else:
            out.append(line)
    return "".join(out)
