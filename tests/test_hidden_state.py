"""No process-wide state changed behind the caller's back (issue #16).

Atomic writes: the files they put in place get the mode any new file gets (0o666 less the
umask), and writing them never changes the process umask, which other threads creating
files at the same moment would see. The hyphenation dictionary: no thread is started at
import; the check starts its loader itself and joins it before it returns.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen import files, readability
from tests.conftest import copy_example, invoke


@pytest.fixture(params=[0o022, 0o027, 0o077, 0o002])
def umask(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Run with the given umask; any os.umask call by briefgen fails the test."""
    previous = os.umask(request.param)

    def refuse(mask: int) -> int:
        raise AssertionError("briefgen changed the process umask")

    monkeypatch.setattr(os, "umask", refuse)
    try:
        yield int(request.param)
    finally:
        monkeypatch.undo()
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_atomic_gives_the_mode_of_a_new_file(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "out" / "brief.pdf"
    files.write_atomic(target, b"first")
    assert mode(target) == 0o666 & ~umask
    files.write_atomic(target, b"second", durable=False)
    assert target.read_bytes() == b"second"
    assert mode(target) == 0o666 & ~umask
    assert sorted(p.name for p in target.parent.iterdir()) == ["brief.pdf"]


def test_write_set_gives_each_file_the_mode_of_a_new_file(tmp_path: Path, umask: int) -> None:
    files.write_set(tmp_path, [("a.pdf", b"a"), ("manifest.json", b"{}")], "build")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "manifest.json"]
    assert {mode(tmp_path / n) for n in ("a.pdf", "manifest.json")} == {0o666 & ~umask}


def test_a_leftover_temporary_is_found_as_ours(tmp_path: Path) -> None:
    """The temporary names keep the shape remove_stale_temporaries reads the pid from."""
    fd, name = files._create_temporary(tmp_path, f".brief.pdf.{os.getpid()}.")
    os.close(fd)
    assert Path(name).name.startswith(f".brief.pdf.{os.getpid()}.")
    assert files.remove_stale_temporaries(tmp_path) == [Path(name)]


def test_importing_briefgen_starts_no_thread() -> None:
    code = (
        "import threading, briefgen.cli, briefgen.check, briefgen.readability; "
        "print(sorted(t.name for t in threading.enumerate()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['MainThread']"


def test_the_check_loads_the_dictionary_and_leaves_no_thread_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold check of a brief with a reading_level loads the dictionary while pandoc
    parses, on a thread it joins: when the check returns, only the threads it found run."""
    monkeypatch.setattr(readability, "_loaded", [])  # as in a new process
    before = set(threading.enumerate())
    root = copy_example(tmp_path)
    result = invoke(["check", "public", "--format", "json", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert re.search(r'"reading_grade": \d', result.stdout)
    assert readability._loaded  # loaded by the check
    assert set(threading.enumerate()) == before


def test_load_dictionary_loads_on_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readability, "_loaded", [])
    before = threading.active_count()
    readability.load_dictionary()
    assert readability._loaded
    assert threading.active_count() == before
    assert readability.syllables("readability") >= 4
