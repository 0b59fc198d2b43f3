"""The check snapshot: a repeated check over unchanged inputs reuses the last result, and
any change to anything the check reads makes it run again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import briefgen.app as app
from tests.conftest import invoke


def check(root: Path, *args: str) -> tuple[int, str]:
    result = invoke(["check", "--project", str(root), *args])
    return result.exit_code, result.stdout


def test_an_unchanged_project_is_not_checked_twice(project, runs) -> None:  # type: ignore[no-untyped-def]
    root = project("constructs")
    for fmt in ("text", "json", "sarif"):
        first = check(root, "--format", fmt)
        again = check(root, "--format", fmt)
        assert again == first
        assert first[0] == 1  # the constructs project has errors: the exit code is kept
    assert len(runs) == 2  # text and sarif share an entry; json also computes reading grades
    assert list((root / ".briefgen-cache" / "check").glob("*.json"))


@pytest.mark.parametrize(
    "change",
    [
        lambda root: _append(root / "briefs/sections/constructs.md", "\nOne more claim.\n"),
        lambda root: _append(root / "references.bib", "\n@misc{new, title = {New}}\n"),
        lambda root: _append(root / "briefgen.yaml", "\n# a comment counts too\n"),
        lambda root: (root / "briefs/sections/extra.md").write_text(
            "---\ntitle: Extra\n---\nAn extra claim.\n", encoding="utf-8"
        ),
        lambda root: (root / "briefs/sections/constructs.md").rename(
            root / "briefs/sections/renamed.md"
        ),
    ],
    ids=["section edited", "bibliography edited", "config edited", "file added", "renamed"],
)
def test_any_change_to_an_input_runs_the_check_again(
    project, runs, monkeypatch, change: Callable[[Path], object]
) -> None:  # type: ignore[no-untyped-def]
    root = project("constructs")
    check(root)
    change(root)
    after = check(root)
    assert len(runs) == 2
    monkeypatch.setenv("BRIEFGEN_NO_CACHE", "1")
    assert after == check(root)


def test_other_briefs_or_code_are_other_entries(project, runs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import briefgen.cache.store as store

    root = project("basic")
    check(root)
    check(root, "note")
    check(root, "note")
    assert runs == [(), ("note",)]
    monkeypatch.setattr(store, "code_identity", lambda: "another briefgen")
    check(root, "note")
    assert len(runs) == 3


def test_a_file_saved_during_the_check_is_seen_next_time(project, runs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs/sections/cooperation.md"
    real = app.run_check

    def slow_editor(project, briefs=(), **kwargs):  # type: ignore[no-untyped-def]
        result = real(project, briefs, **kwargs)
        _append(section, "\nA claim saved while the check ran.\n")
        return result

    monkeypatch.setattr(app, "run_check", slow_editor)
    assert check(root)[0] == 0
    monkeypatch.setattr(app, "run_check", real)
    code, out = check(root)
    assert code == 1
    assert "claim has no citation" in out


def test_no_snapshot_when_the_cache_is_off(project, runs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BRIEFGEN_NO_CACHE", "1")
    root = project("basic")
    check(root)
    check(root)
    assert len(runs) == 2
    assert not (root / ".briefgen-cache").exists()


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
