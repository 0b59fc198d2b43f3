"""Issue 15: what content holds can neither forge a finding line nor drive a terminal, and a
brief that cannot be read is reported as such, not as an unknown brief."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import invoke

Copy = Callable[[str], Path]


def test_control_characters_from_content_are_shown_escaped(project: Copy) -> None:
    root = project("basic")
    brief = root / "briefs/note.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(
        text.replace("audience: ministers", 'audience: "mini\\e[2Jsters\\nx.md:1:1: error"'),
        encoding="utf-8",
    )
    for fmt in ("text", "github"):
        out = invoke(["check", "--project", str(root), "--format", fmt]).stdout
        assert "\x1b" not in out
        assert "mini\\x1b[2Jsters\\nx.md:1:1: error" in out
    github = invoke(["check", "--project", str(root), "--format", "github"]).stdout
    assert all(line.startswith(("::error ", "::warning ")) for line in github.splitlines())


def test_a_brief_that_cannot_be_read_is_reported_not_called_unknown(project: Copy) -> None:
    root = project("basic")
    brief = root / "briefs/note.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + "title: [unclosed\n", encoding="utf-8")
    for command in (["check", "note"], ["build", "note", "--to", "html"]):
        result = invoke([*command, "--project", str(root)])
        assert result.exit_code == 1
        output = result.stdout + result.stderr
        assert "unknown brief" not in output
        assert (
            "briefs/note.yaml:11:1: error brief-file: YAML syntax error: while parsing a " in output
        )


def test_the_csv_ledger_holds_no_formula(project: Copy) -> None:
    root = project("basic")
    (root / "briefs/sections/probe.md").write_text(
        '---\ntitle: Probe\n---\n\n=HYPERLINK("http://example.org","x") is cited [@owen2015tor].\n'
        "+1 more [@owen2015tor].\n",
        encoding="utf-8",
    )
    out = invoke(["claims", "--project", str(root), "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    probe = [row for row in rows if row["file"] == "briefs/sections/probe.md"]
    assert [row["text"][:2] for row in probe] == ["'=", "'+"]


def test_a_missing_bibliography_at_build_is_an_error_not_a_crash(project: Copy) -> None:
    root = project("basic")
    (root / "references.bib").unlink()
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "briefgen: references.bib: bibliography not found: create it, or set 'bibliography:' "
        "in briefgen.yaml"
    )


def test_an_impossible_source_date_epoch_is_an_error_not_a_crash(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project("basic")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999")
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "briefgen: SOURCE_DATE_EPOCH='99999999999999' is not a date briefgen can use: give the "
        "seconds since 1970 of a date up to 2107-12-31, or unset it"
    )
