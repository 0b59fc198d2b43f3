"""Issue 15: no file from outside the project reaches a check's output or a build (links
resolved); no special file is read."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import invoke

Copy = Callable[[str], Path]
CANARY = "CANARY-1c9f outside the project"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text(f"---\ntitle: S\n---\n\n{CANARY}.\n", encoding="utf-8")
    (folder / "secret.bib").write_text(f"@misc{{x, title={{{CANARY}}}}}\n", encoding="utf-8")
    (folder / "style.csl").write_text(f"<style>{CANARY}</style>\n", encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG" + CANARY.encode())
    return folder


def run_all(root: Path) -> str:
    """Every report a CI log would show."""
    out = []
    for args in (["check"], ["check", "--format", "json"], ["check", "--format", "github"]):
        result = invoke([*args, "--project", str(root)])
        out.append(result.stdout + result.stderr)
    return "\n".join(out)


def test_a_section_linked_to_a_file_outside_is_refused(project: Copy, outside: Path) -> None:
    root = project("basic")
    (root / "briefs/sections/leak.md").symlink_to(outside / "secret.md")
    out = run_all(root)
    assert CANARY not in out
    assert (
        "briefs/sections/leak.md:1:1: error section-file: briefs/sections/leak.md is a link to "
        "a file outside the project: content must stay inside it"
    ) in out


def test_a_sections_folder_linked_outside_is_refused(project: Copy, outside: Path) -> None:
    root = project("basic")
    brief_dir = root / "briefs"
    os.rename(brief_dir / "sections", root / "moved")
    (brief_dir / "sections").symlink_to(outside)
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "briefgen: briefs/sections is a link to a directory outside the project: content must "
        "stay inside it"
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "bibliography: ../outside/secret.bib",
            "briefgen.yaml:3: bibliography '../outside/secret.bib' is outside the project: "
            "keep it inside, and give its path relative to the project",
        ),
        (
            "csl: ../outside/style.csl",
            "briefgen.yaml:4: CSL file '../outside/style.csl' is outside the project: copy it "
            "into the project",
        ),
    ],
)
def test_config_paths_stay_inside_the_project(
    project: Copy, outside: Path, setting: str, message: str
) -> None:
    root = project("basic")
    config = root / "briefgen.yaml"
    key = setting.split(":")[0]
    lines = [
        setting if line.startswith(f"{key}:") else line
        for line in config.read_text(encoding="utf-8").splitlines()
    ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # the project lies in tmp/basic, so ../outside is the canary folder
    result = invoke(["check", "--project", str(root)])
    assert CANARY not in result.output
    assert result.exit_code == 2
    assert result.stderr.strip() == f"briefgen: {message}"


def test_a_bibliography_linked_outside_is_refused(project: Copy, outside: Path) -> None:
    root = project("basic")
    (root / "references.bib").unlink()
    (root / "references.bib").symlink_to(outside / "secret.bib")
    result = invoke(["check", "--project", str(root)])
    assert CANARY not in result.output
    assert result.exit_code == 2
    assert "bibliography 'references.bib' is outside the project" in result.stderr


def test_an_image_linked_outside_is_refused(project: Copy, outside: Path) -> None:
    root = project("basic")
    (root / "images").mkdir()
    (root / "images/chart.png").symlink_to(outside / "image.png")
    section = root / "briefs/sections/cooperation.md"
    section.write_text(
        section.read_text(encoding="utf-8") + "\n![A chart](images/chart.png) [@owen2015tor]\n",
        encoding="utf-8",
    )
    out = run_all(root)
    assert "error raw-content: image 'images/chart.png' is outside the project" in out


def test_a_fifo_section_is_refused_without_reading_it(project: Copy) -> None:
    root = project("basic")
    os.mkfifo(root / "briefs/sections/pipe.md")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "briefs/sections/pipe.md:1:1: error section-file: briefs/sections/pipe.md is not a "
        "regular file (a directory, a pipe or a device): remove it"
    ) in result.stdout


def test_a_build_folder_linked_outside_is_not_written_through(project: Copy, outside: Path) -> None:
    root = project("basic")
    (root / "build").symlink_to(outside)
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "briefgen: build/ is a link to a directory outside the project: remove the link, or "
        "name the directory to write to with -o"
    )
    assert sorted(p.name for p in outside.iterdir()) == [
        "image.png",
        "secret.bib",
        "secret.md",
        "style.csl",
    ]


def test_a_cache_folder_linked_outside_is_not_written_through(
    project: Copy, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    root = project("basic")
    (root / ".briefgen-cache").symlink_to(outside)
    assert invoke(["check", "--project", str(root)]).exit_code == 0
    assert sorted(p.name for p in outside.iterdir()) == [
        "image.png",
        "secret.bib",
        "secret.md",
        "style.csl",
    ]


def test_a_build_deletes_only_its_own_temporary_files(project: Copy) -> None:
    root = project("basic")
    build = root / "build"
    build.mkdir()
    (build / ".notes.tmp").write_text("an editor's file", encoding="utf-8")
    (build / ".note.html.999999999.abc.tmp").write_text("ours, dead", encoding="utf-8")
    assert invoke(["build", "note", "--to", "html", "--project", str(root)]).exit_code == 0
    assert (build / ".notes.tmp").exists()
    assert not (build / ".note.html.999999999.abc.tmp").exists()


def test_a_huge_sparse_section_is_refused_before_it_is_read(project: Copy) -> None:
    root = project("basic")
    with open(root / "briefs/sections/huge.md", "wb") as handle:
        handle.truncate(8 * 2**30)  # 8 GB of nothing: refused by its size, never read
    started = time.monotonic()
    result = invoke(["check", "--project", str(root)])
    assert time.monotonic() - started < 30
    assert (
        "briefs/sections/huge.md:1:1: error section-file: section is 8192.0 MB, over the 1 MB "
        "a section may hold: split it into several sections"
    ) in result.stdout
