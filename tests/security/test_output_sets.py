"""Issue 15: a build commits its outputs as a set, and only this machine's own record of a
build makes outputs "up to date" (never outputs or a manifest that came with a checkout)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import briefgen.files
from briefgen.files import recover_sets, write_set
from tests.conftest import invoke

Copy = Callable[[str], Path]


def build(root: Path, *extra: str) -> str:
    result = invoke(["build", "note", "--to", "html,docx", "--project", str(root), *extra])
    assert result.exit_code == 0, result.output
    return result.stderr


def test_a_second_build_of_unchanged_inputs_is_up_to_date(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)  # the record lives in the cache
    root = project("basic")
    assert "note: TLP:" in build(root)
    assert "note: up to date" in build(root)


def test_outputs_that_came_with_the_checkout_are_built_again(
    project: Copy, tmp_path: Path
) -> None:
    """A clone holds build/ with outputs and a matching manifest, but no record of building
    them on this machine: they are rendered again, not trusted."""
    root = project("basic")
    build(root)
    clone = tmp_path / "clone"
    shutil.copytree(root, clone, ignore=shutil.ignore_patterns(".briefgen-cache"))
    assert "note: up to date" not in build(clone)


def test_forged_outputs_with_a_matching_manifest_are_built_again(project: Copy) -> None:
    root = project("basic")
    build(root)
    html = root / "build/note.html"
    forged = html.read_text(encoding="utf-8").replace("</body>", "<p>FORGED</p></body>")
    html.write_text(forged, encoding="utf-8")
    manifest = root / "build/note.manifest.json"
    document = json.loads(manifest.read_text(encoding="utf-8"))
    document["outputs"]["note.html"] = hashlib.sha256(forged.encode()).hexdigest()
    manifest.write_text(json.dumps(document), encoding="utf-8")
    assert "note: up to date" not in build(root)
    assert "FORGED" not in html.read_text(encoding="utf-8")


def test_a_set_stopped_between_renames_is_finished_by_the_next_build(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project("basic")
    build(root)
    outdir = root / "build"
    old = {p.name: p.read_bytes() for p in outdir.iterdir()}
    calls = []
    real_replace = os.replace

    def dying_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(dst)
        if len(calls) == 3:  # the journal, the first output, then the process "dies"
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(briefgen.files.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        write_set(outdir, [("note.html", b"new html"), ("note.manifest.json", b"{}")], "note")
    monkeypatch.setattr(briefgen.files.os, "replace", real_replace)
    # a new HTML beside the old manifest: the state a kill between renames leaves
    assert (outdir / "note.html").read_bytes() == b"new html"
    assert (outdir / "note.manifest.json").read_bytes() == old["note.manifest.json"]
    assert [p.name for p in outdir.glob(".note.*.commit")]  # the journal stays
    assert recover_sets(outdir) == ["note.manifest.json"]
    assert (outdir / "note.html").read_bytes() == b"new html"
    assert (outdir / "note.manifest.json").read_bytes() == b"{}"
    assert sorted(p.name for p in outdir.iterdir()) == sorted(old)  # no journal, no temporary


def test_a_set_stopped_before_its_journal_leaves_the_old_set(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project("basic")
    build(root)
    outdir = root / "build"
    old = {p.name: p.read_bytes() for p in outdir.iterdir()}

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(briefgen.files, "write_atomic", full_disk)
    with pytest.raises(OSError):
        write_set(outdir, [("note.html", b"new"), ("note.manifest.json", b"{}")], "note")
    assert {p.name: p.read_bytes() for p in outdir.iterdir()} == old


@pytest.mark.parametrize(
    "pairs",
    [
        [["../../escape.tmp", "note.html"]],
        [[".note.html.1.x.tmp", "../note.html"]],
        [[".other.1.x.tmp", "note.html"]],
        [[".note.html.1.x.tmp", ".hidden"]],
        "not a list",
    ],
)
def test_a_journal_briefgen_did_not_write_renames_nothing(project: Copy, pairs: object) -> None:
    root = project("basic")
    outdir = root / "build"
    outdir.mkdir()
    for name in (".note.html.1.x.tmp", ".other.1.x.tmp"):
        (outdir / name).write_text("planted", encoding="utf-8")
    (outdir / ".note.999999999.commit").write_text(json.dumps({"rename": pairs}), "utf-8")
    assert recover_sets(outdir) == []
    assert not (outdir / "note.html").exists()
    assert not list(outdir.glob("*.commit"))


def test_a_live_builds_journal_is_left_alone(project: Copy) -> None:
    root = project("basic")
    outdir = root / "build"
    outdir.mkdir()
    (outdir / ".note.html.1.x.tmp").write_text("in progress", encoding="utf-8")
    journal = outdir / f".note.{os.getppid()}.commit"  # a running process's
    journal.write_text(json.dumps({"rename": [[".note.html.1.x.tmp", "note.html"]]}), "utf-8")
    assert recover_sets(outdir) == []
    assert journal.exists() and not (outdir / "note.html").exists()
