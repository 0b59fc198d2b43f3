"""The application layer and the settings it is given: one function per command, frozen
results, no environment read below the entry point."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen import app
from briefgen.errors import ConfigError
from briefgen.settings import Settings
from tests.conftest import invoke

Copy = Callable[[str], Path]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, Settings()),
        ({"BRIEFGEN_NO_CACHE": "0"}, Settings()),
        ({"BRIEFGEN_NO_CACHE": "1"}, Settings(use_cache=False)),
        ({"NO_COLOR": ""}, Settings(colour=False)),
        ({"BRIEFGEN_DEBUG": "1"}, Settings(debug=True)),
        ({"SOURCE_DATE_EPOCH": "1795392000"}, Settings(source_date_epoch="1795392000")),
    ],
)
def test_settings_come_from_the_environment_given(
    env: dict[str, str], expected: Settings
) -> None:
    assert Settings.from_env(env) == expected


def test_the_epoch_is_checked_when_a_build_needs_it() -> None:
    assert Settings(source_date_epoch=" 1795392000 ").epoch() == 1795392000
    assert Settings(source_date_epoch="").epoch() is None
    with pytest.raises(ConfigError) as caught:
        Settings(source_date_epoch="-5").epoch()
    assert str(caught.value) == (
        "SOURCE_DATE_EPOCH='-5' is not a date briefgen can use: give the seconds since 1970 "
        "of a date up to 2107-12-31, or unset it"
    )


def test_a_check_runs_whatever_source_date_epoch_holds(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only builds stamp a date: a check is not refused for a variable it never uses."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    root = project("basic")
    assert invoke(["check", "--project", str(root)]).exit_code == 0
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr.startswith("briefgen: SOURCE_DATE_EPOCH='not a number' is not a date")


def test_check_returns_a_frozen_report_and_uses_no_cache_when_told(project: Copy) -> None:
    root = project("basic")
    report = app.check(root, (), Settings(use_cache=False))
    assert report.summary["errors"] == 0 and not report.failed(strict=False)
    assert report.findings == () or all(f.severity == "warning" for f in report.findings)
    assert not (root / ".briefgen-cache").exists()
    with pytest.raises(AttributeError):
        report.summary = {}  # type: ignore[misc]


def test_build_stamps_the_settings_epoch_where_the_brief_states_no_date(project: Copy) -> None:
    """SOURCE_DATE_EPOCH stands in for the clock, never for a date the brief states."""
    root = project("basic")
    request = app.BuildRequest(("note",), False, ("html",), None, force=True)
    settings = Settings(source_date_epoch="1795305600")  # 2026-11-22
    assert not app.build(root, request, settings).refused
    html = (root / "build/note.html").read_text(encoding="utf-8")
    assert 'content="2026-11-23"' in html  # the brief's date:
    brief = root / "briefs/note.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text("".join(x for x in text.splitlines(True) if not x.startswith("date:")))
    assert not app.build(root, request, settings).refused
    html = (root / "build/note.html").read_text(encoding="utf-8")
    assert 'content="2026-11-22"' in html


def test_commands_name_unknown_briefs_with_a_suggestion(project: Copy) -> None:
    root = project("basic")
    with pytest.raises(ConfigError) as caught:
        app.claims(root, ["nte"], Settings())
    assert str(caught.value) == "unknown brief 'nte' (did you mean 'note'?): briefs are note"
