"""Issue 15: no section exhausts the machine. What pandoc's reader cannot take in bounded
time is refused before pandoc sees it, with the line and what to do (briefgen.limits); what
nests too deep for the walker is a finding too, never an internal error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import invoke
from tests.test_fail_closed import findings

Copy = Callable[[str], Path]


def _nested_spans(depth: int) -> str:
    text = "x"
    for _ in range(depth):
        text = f"[{text}]{{.a}}"
    return text


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "Fine [@owen2015tor].\n\nText " + "[a " * 30 + "\n",
            7,
            "30 '[' never closed in one paragraph: pandoc's reader takes exponential time on "
            "them; close them, or write \\[",
        ),
        (
            "Text" + " ^[" * 3000 + "\n",
            5,
            "3000 '[' never closed in one paragraph: pandoc's reader takes exponential time on "
            "them; close them, or write \\[",
        ),
        (
            _nested_spans(14) + " claim [@owen2015tor].\n",
            5,
            "brackets nested 14 deep (links or spans inside each other): pandoc's reader takes "
            "exponential time past 8; flatten them",
        ),
        (
            "<a " * 5000 + "\n",
            5,
            "more than 200 '<' in one paragraph: pandoc's reader slows down with each one; "
            "split the paragraph, or write &lt;",
        ),
        (
            ">" * 1000 + " deep\n",
            5,
            "block quotes nested more than 40 deep: pandoc cannot be given this safely; "
            "flatten them",
        ),
        (
            "- " * 3000 + "x\n",
            1,
            "lists, quotes or spans are nested inside each other hundreds of levels deep: "
            "pandoc's reader gives briefgen more than it can walk; flatten them",
        ),
    ],
    ids=["unclosed-brackets", "unclosed-notes", "nested-spans", "angles", "quotes", "lists"],
)
def test_inputs_pandoc_cannot_take_are_refused_with_a_finding(
    project: Copy, body: str, line: int, message: str
) -> None:
    assert findings(project, body) == [(line, 1, "section-file", message)]


def test_ordinary_brackets_code_and_shallow_nesting_pass(project: Copy) -> None:
    body = (
        _nested_spans(5) + " holds [@owen2015tor].\n\n"
        "```\n" + "[" * 100 + "\n```\n\n"
        "Inline `[[[[[[[[[[` code, [a link](https://example.org) and <https://example.org> "
        "are fine [@owen2015tor].\n"
    )
    assert findings(project, body) == []


def test_a_build_is_refused_at_once_not_left_rendering(project: Copy) -> None:
    root = project("basic")
    section = root / "briefs/sections/cooperation.md"
    section.write_text(
        section.read_text(encoding="utf-8") + "\n\nText " + "[a " * 25 + "[@owen2015tor].\n",
        encoding="utf-8",
    )
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert "error section-file: 25 '[' never closed in one paragraph" in result.stderr
