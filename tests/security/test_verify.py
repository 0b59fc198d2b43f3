"""Issue 15 and #21: a manifest is untrusted (anyone can commit build/<brief>.manifest.json).
``verify`` reads only files inside the project that the manifest names, reports a malformed
manifest in one line (exit 2) instead of failing inside, and ``verify --rebuild`` proves an
output by building it again, so a forged output with a forged manifest does not pass."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECTS, invoke

CANARY = "CANARY-5e1d outside the project"
HTML, PDF, MANIFEST = "build/note.html", "build/note.pdf", "build/note.manifest.json"
FOREIGN = "the manifest was not written by briefgen"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic project with note built once to HTML and PDF (copied by each test)."""
    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(PROJECTS / "basic", root, ignore=shutil.ignore_patterns(".briefgen-cache"))
    result = invoke(["build", "note", "--to", "html,pdf", "--project", str(root)])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def root(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(built, target, symlinks=True)
    return target


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file beside the project, never to be read by verify."""
    folder = tmp_path / "outside"
    folder.mkdir()
    secret = folder / "secret.md"
    secret.write_text(f"{CANARY}\n", encoding="utf-8")
    return secret


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def forge(root: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Rewrite the manifest: ``change`` edits its document, or returns a new one."""
    path = root / MANIFEST
    document = json.loads(path.read_text(encoding="utf-8"))
    replaced = change(document)
    path.write_text(json.dumps(document if replaced is None else replaced), encoding="utf-8")


def verify(root: Path, *args: str) -> tuple[int, str, str]:
    result = invoke(["verify", *args], cwd=root)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_plain_verify_passes_what_was_built(root: Path) -> None:
    assert verify(root, HTML, PDF) == (
        0,
        f"{HTML}: matches its inputs\n{PDF}: matches its inputs\n",
        "",
    )


# --------------------------------------------------------------------------- outside inputs


def names_outside(name: str) -> str:
    return f"{HTML}: out of date\n  {MANIFEST}: names {name!r} outside the project: {FOREIGN}\n"


def test_an_absolute_input_is_never_read(root: Path, outside: Path) -> None:
    # with the file's true digest: if verify read it, the input would match
    name = str(outside)
    forge(root, lambda d: d["inputs"].update({name: digest(outside.read_bytes())}))
    assert verify(root, HTML) == (1, names_outside(name), "")


def test_an_input_climbing_out_with_dot_dot_is_never_read(root: Path, outside: Path) -> None:
    name = "../outside/secret.md"
    assert (root / name).resolve() == outside.resolve()
    forge(root, lambda d: d["inputs"].update({name: digest(outside.read_bytes())}))
    assert verify(root, HTML) == (1, names_outside(name), "")


def test_a_dot_dot_inside_a_path_is_refused_too(root: Path) -> None:
    name = "briefs/../briefgen.yaml"  # stays inside, but briefgen never writes such a name
    forge(root, lambda d: d["inputs"].update({name: digest((root / "briefgen.yaml").read_bytes())}))
    assert verify(root, HTML) == (1, names_outside(name), "")


def test_a_backslash_path_is_refused(root: Path) -> None:
    name = "briefs\\note.yaml"
    forge(root, lambda d: d["inputs"].update({name: "0" * 64}))
    assert verify(root, HTML) == (1, names_outside(name), "")


def test_an_input_linked_out_of_the_project_is_never_read(root: Path, outside: Path) -> None:
    link = root / "briefs/leak.md"
    link.symlink_to(outside)
    forge(root, lambda d: d["inputs"].update({"briefs/leak.md": digest(outside.read_bytes())}))
    assert verify(root, HTML) == (
        1,
        f"{HTML}: out of date\n  briefs/leak.md is a link to a file outside the project: "
        "content must stay inside it\n",
        "",
    )


def test_an_input_that_is_not_a_regular_file_is_not_read(root: Path) -> None:
    forge(root, lambda d: d["inputs"].update({"briefs/sections": "0" * 64}))
    assert verify(root, HTML) == (
        1,
        f"{HTML}: out of date\n  briefs/sections is not a regular file (a directory, a pipe or "
        "a device): remove it\n",
        "",
    )


# --------------------------------------------------------------------------- malformed manifests


def _set(field: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.__setitem__(field, value)


def _del(field: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.__delitem__(field)


OUTPUTS = "'outputs' is not a mapping of file names to SHA-256 digests"
INPUTS = "'inputs' is not a mapping of project files to SHA-256 digests"
TOOLS = "'tools' is not a mapping of tool names to versions"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: [d], "not a briefgen manifest (a JSON object)"),
        (lambda d: "note", "not a briefgen manifest (a JSON object)"),
        (_set("outputs", ["note.html"]), OUTPUTS),
        (_set("outputs", {"note.html": ["0" * 64]}), OUTPUTS),
        (_set("outputs", {"note.html": "not-a-digest"}), OUTPUTS),
        (_set("inputs", "briefs/note.yaml"), INPUTS),
        (_set("inputs", {"briefs/note.yaml": 7}), INPUTS),
        (_set("inputs", {"briefs/\x1b[2Jnote.yaml": "0" * 64}), INPUTS),
        (_set("tools", 3), TOOLS),
        (_set("tools", {"pandoc": ["3.9"]}), TOOLS),
        (_set("brief", {"name": "note"}), "'brief' is not a brief's name"),
        (_set("brief", ""), "'brief' is not a brief's name"),
        (_set("draft", "false"), "'draft' is not true or false"),
        (_del("outputs"), "'outputs' is missing"),
        (_del("inputs"), "'inputs' is missing"),
        (_del("tools"), "'tools' is missing"),
        (_del("brief"), "'brief' is missing"),
    ],
)
def test_a_malformed_manifest_is_one_line_exit_2(
    root: Path, change: Callable[[dict[str, Any]], object], message: str
) -> None:
    forge(root, change)
    assert verify(root, HTML) == (2, "", f"briefgen: {MANIFEST}: {message}: build it again\n")
    assert verify(root, "--rebuild", HTML) == (
        2,
        "",
        f"briefgen: {MANIFEST}: {message}: build it again\n",
    )


def test_every_malformed_field_is_named(root: Path) -> None:
    forge(root, lambda d: d.update(brief=1, tools=None))
    assert verify(root, HTML) == (
        2,
        "",
        f"briefgen: {MANIFEST}: 'brief' is not a brief's name: build it again\n"
        f"briefgen: {MANIFEST}: {TOOLS}: build it again\n",
    )


def test_a_manifest_that_is_not_json(root: Path) -> None:
    (root / MANIFEST).write_text("{nope", encoding="utf-8")
    assert verify(root, HTML) == (
        2,
        "",
        f"briefgen: {MANIFEST}: not valid JSON (Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1)): build it again\n",
    )


def test_a_manifest_nested_past_what_python_decodes(root: Path) -> None:
    (root / MANIFEST).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, out, err = verify(root, HTML)
    assert (code, out) == (2, "")
    assert err.startswith(f"briefgen: {MANIFEST}: not valid JSON (")


def test_a_missing_manifest(root: Path) -> None:
    (root / MANIFEST).unlink()
    assert verify(root, HTML) == (
        2,
        "",
        f"briefgen: {MANIFEST}: no manifest beside the output: build it again\n",
    )


def test_an_output_that_does_not_exist(root: Path) -> None:
    for args in (["build/nope.pdf"], ["--rebuild", "build/nope.pdf"]):
        assert verify(root, *args) == (2, "", "briefgen: build/nope.pdf: no such file\n")


# --------------------------------------------------------------------------- --rebuild


def test_rebuild_proves_an_untouched_output(root: Path) -> None:
    assert verify(root, "--rebuild", HTML, PDF) == (
        0,
        f"{HTML}: rebuilt, identical\n{PDF}: rebuilt, identical\n",
        "",
    )


def test_rebuild_leaves_no_record_of_its_temporary_build(root: Path) -> None:
    """The rebuild goes into a temporary directory: this machine's record of what was built
    (which makes outputs up to date) gains no entry for it."""
    records = root / ".briefgen-cache" / "built"
    before = sorted(p.name for p in records.iterdir()) if records.is_dir() else []
    assert verify(root, "--rebuild", HTML)[0] == 0
    after = sorted(p.name for p in records.iterdir()) if records.is_dir() else []
    assert after == before


def test_rebuild_catches_a_forged_output_with_a_forged_manifest(root: Path) -> None:
    html = (root / HTML).read_bytes()
    at = html.index(b"Cooperation")
    forged = html.replace(b"Cooperation", b"Co-operation", 1)
    (root / HTML).write_bytes(forged)
    forge(root, lambda d: d["outputs"].update({"note.html": digest(forged)}))
    assert verify(root, HTML) == (0, f"{HTML}: matches its inputs\n", "")  # fooled
    assert verify(root, "--rebuild", HTML) == (
        1,
        f"{HTML}: differs from a fresh build of the brief 'note' (first difference at byte "
        f"{at + 2})\n",
        "",
    )
    assert not (root / "build/note.docx").exists()  # the rebuild wrote nothing into build/
    assert (root / HTML).read_bytes() == forged


def test_rebuild_catches_a_truncated_output(root: Path) -> None:
    html = (root / HTML).read_bytes()
    (root / HTML).write_bytes(html[:100])
    code, out, _ = verify(root, "--rebuild", HTML)
    assert (code, out) == (
        1,
        f"{HTML}: differs from a fresh build of the brief 'note' (first difference at byte 100)\n",
    )


def test_rebuild_reports_a_brief_the_check_refuses(root: Path) -> None:
    section = root / "briefs/sections/cooperation.md"
    text = section.read_text(encoding="utf-8")
    section.write_text(text + "\nThis sentence has no source.\n", encoding="utf-8")
    line = text.count("\n") + 2
    assert verify(root, "--rebuild", HTML) == (
        1,
        f"{HTML}: not rebuilt: the check refuses the brief 'note'\n",
        f"briefs/sections/cooperation.md:{line}:1: error uncited-claim: claim has no citation: "
        "cite a source ([@key]), or put analysis in a ::: judgment block\n",
    )


def test_rebuild_refuses_a_draft(root: Path) -> None:
    for suffix in ("html", "manifest.json"):
        shutil.copy(root / f"build/note.{suffix}", root / f"build/note.draft.{suffix}")
    assert verify(root, "--rebuild", "build/note.draft.html") == (
        1,
        "",
        "briefgen: build/note.draft.html is a draft: drafts are not verified; build without "
        "--draft\n",
    )
    forge(root, lambda d: d.update(draft=True))  # a draft renamed to pass for a real output
    assert verify(root, "--rebuild", HTML) == (
        1,
        "",
        f"briefgen: {HTML} is a draft: drafts are not verified; build without --draft\n",
    )


def test_rebuild_of_a_brief_not_in_the_project(root: Path) -> None:
    forge(root, lambda d: d.update(brief="gone"))
    assert verify(root, "--rebuild", HTML) == (
        1,
        "",
        f"briefgen: {HTML}: its manifest names the brief 'gone', which is not in the project: "
        "it cannot be built again\n",
    )
    assert verify(root, HTML) == (
        1,
        f"{HTML}: out of date\n  the brief 'gone' the manifest names is not in the project\n",
        "",
    )
