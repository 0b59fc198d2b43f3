"""Issue 14 item 6: `build` never crashes and never bypasses a ceiling.

A brief-level error (unknown audience, unknown section, a marking above the audience's
ceiling) is reported as `check` reports it, exit 1, in build, build --draft, watch, list and
diff alike; a draft writes <brief>.draft.* beside the real outputs and is never verified.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest

from tests.conftest import invoke

REFUSED = "build refused: fix the errors above (a draft would be refused too)\n"
DRAFT_REFUSED = (
    "draft refused: fix the errors above (a draft builds past uncited claims and unknown "
    "keys only)\n"
)
WATCHING = "watching for changes (Ctrl-C to stop)\n"

SECRET = """---
title: Secret
marking: TLP:RED
---

Undercover officers operate on the network [@owen2015tor].
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def unknown_audience(root: Path) -> None:
    _edit(root / "briefs/note.yaml", "audience: ministers", "audience: ministrs")


def unknown_section(root: Path) -> None:
    _edit(root / "briefs/note.yaml", "  - cooperation", "  - cooperaton")


def above_ceiling(root: Path) -> None:
    """A TLP:RED section in a brief for ministers, who are cleared to TLP:GREEN."""
    (root / "briefs/sections/secret.md").write_text(SECRET, encoding="utf-8")
    _edit(root / "briefs/note.yaml", "  - cooperation", "  - cooperation\n  - secret")


PROBLEMS: dict[str, tuple[Callable[[Path], None], str]] = {
    "unknown-audience": (
        unknown_audience,
        "briefs/note.yaml:3:1: error unknown-audience: unknown audience 'ministrs' "
        "(did you mean 'ministers'?): define it under audiences: in briefgen.yaml",
    ),
    "unknown-section": (
        unknown_section,
        "briefs/note.yaml:9:1: error unknown-section: unknown section 'cooperaton' "
        "(did you mean 'cooperation'?): no file briefs/sections/cooperaton.md: correct the id, "
        "or create the section with 'briefgen new section cooperaton'",
    ),
    "marking-exceeds-audience": (
        above_ceiling,
        "briefs/note.yaml:3:1: error marking-exceeds-audience: brief is TLP:RED but audience "
        "'ministers' is cleared to TLP:GREEN: briefs/sections/secret.md above the ceiling; "
        "take that text out of the brief, or brief an audience cleared for it",
    ),
}


def _broken(project, problem: str) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    root: Path = project("basic")
    breaks, line = PROBLEMS[problem]
    breaks(root)
    return root, line


def _check_text(root: Path, *briefs: str) -> str:
    """What `briefgen check BRIEF` prints: the build must print the same."""
    return str(invoke(["check", *briefs, "--project", str(root)]).stdout)


# --------------------------------------------------------------------------- brief-level errors


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("draft", [False, True], ids=["build", "draft"])
def test_brief_level_error_refuses_build_and_draft(project, problem: str, draft: bool) -> None:  # type: ignore[no-untyped-def]
    root, line = _broken(project, problem)
    flags = ["--draft"] if draft else []
    result = invoke(["build", "note", *flags, "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stdout == ""
    check = _check_text(root, "note")
    assert f"\n{line}\n" in check
    assert result.stderr == check + (DRAFT_REFUSED if draft else REFUSED)
    assert not (root / "build").exists()


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_brief_level_error_fails_list_after_the_listing(project, problem: str) -> None:  # type: ignore[no-untyped-def]
    root, line = _broken(project, problem)
    result = invoke(["list", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stdout.startswith("Briefs\n")
    assert result.stderr == line + "\n"
    listed = invoke(["list", "--format", "json", "--project", str(root)])
    assert listed.exit_code == 1
    assert [b["name"] for b in json.loads(listed.stdout)["briefs"]] == ["note"]


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_brief_level_error_refuses_diff(project, problem: str) -> None:  # type: ignore[no-untyped-def]
    root, line = _broken(project, problem)
    (root / "briefs/tech.yaml").write_text(
        "title: T\naudience: investigators\nsections: [cooperation]\n", encoding="utf-8"
    )
    for args in (["note", "tech"], ["tech", "note"]):
        result = invoke(["diff", *args, "--project", str(root)])
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", line + "\n")
    fine = invoke(["diff", "tech", "tech", "--project", str(root)])
    assert fine.exit_code == 0


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_brief_level_error_in_watch_is_reported_and_fails_when_stopped(  # type: ignore[no-untyped-def]
    project, monkeypatch, problem: str
) -> None:
    import briefgen.watch

    root, _ = _broken(project, problem)
    monkeypatch.setattr(briefgen.watch, "file_changes", lambda root: [])  # stop after one run
    result = invoke(["watch", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr == _check_text(root, "note") + REFUSED + WATCHING
    assert not (root / "build").exists()


def test_watch_of_an_unknown_brief_is_a_usage_error(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import briefgen.watch

    def never(root: Path) -> list[object]:
        raise AssertionError("watch started")

    monkeypatch.setattr(briefgen.watch, "file_changes", never)
    root = project("basic")
    result = invoke(["watch", "nte", "--project", str(root)])
    assert result.exit_code == 2
    assert (
        result.stderr == "briefgen: unknown brief 'nte' (did you mean 'note'?): briefs are note\n"
    )


def test_watch_of_a_good_brief_exits_0_when_stopped(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import briefgen.watch

    monkeypatch.setattr(briefgen.watch, "file_changes", lambda root: [])
    root = project("basic")
    result = invoke(["watch", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0, result.output
    last = result.stderr.splitlines()[-2]
    assert re.fullmatch(r"rebuilt note in \d+\.\d s: build/note\.html", last), last
    assert result.stderr.endswith(WATCHING)


def test_watch_outside_a_project_is_an_error_not_a_crash(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import briefgen.watch

    monkeypatch.setattr(briefgen.watch, "file_changes", lambda root: [])
    result = invoke(["watch", "note"], cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"briefgen: no briefgen.yaml in {tmp_path.resolve()}: run briefgen in a project "
        "directory, pass --project DIR, or create one with 'briefgen init'\n"
    )


# --------------------------------------------------------------------------- drafts


def test_draft_builds_past_uncited_claims_and_unknown_keys_only(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    with (root / "briefs/sections/anonymity.md").open("a", encoding="utf-8") as f:
        f.write("\nAn uncited sentence.\n\nAn unknown claim [@nosuchkey2026].\n")
    refused = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert refused.exit_code == 1
    check = _check_text(root, "note")
    assert refused.stderr == check + (
        "build refused: fix the errors above, or build with --draft\n"
    )
    assert not (root / "build").exists()

    draft = invoke(["build", "note", "--draft", "--to", "html", "--project", str(root)])
    assert draft.exit_code == 0, draft.output
    progress, _, rest = draft.stderr.partition("\n")
    assert progress.startswith("note: TLP:CLEAR, ") and progress.endswith("note.draft.html")
    assert rest == check  # the errors the draft went past, as check prints them
    assert "error uncited-claim: claim has no citation" in check
    assert "error unknown-key: unknown citation key 'nosuchkey2026'" in check
    assert sorted(p.name for p in (root / "build").iterdir()) == [
        "note.draft.html",
        "note.draft.manifest.json",
    ]


def test_draft_refuses_any_other_error(project) -> None:  # type: ignore[no-untyped-def]
    """A marking briefgen cannot read is not TLP:CLEAR, not even in a draft."""
    root = project("basic")
    _edit(root / "briefs/sections/anonymity.md", "marking: TLP:CLEAR", "marking: TLP:REDD")
    result = invoke(["build", "note", "--draft", "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert "\nbriefs/sections/anonymity.md:5:1: error front-matter: unknown marking 'TLP:REDD'" in (
        result.stderr
    )
    assert result.stderr == _check_text(root, "note") + DRAFT_REFUSED
    assert not (root / "build").exists()


def test_draft_writes_beside_the_real_outputs_and_verify_refuses_it(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    out = root / "build"
    assert invoke(["build", "note", "--project", str(root)]).exit_code == 0
    real = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert sorted(real) == ["note.docx", "note.html", "note.manifest.json", "note.pdf"]

    draft = invoke(["build", "note", "--draft", "--project", str(root)])
    assert draft.exit_code == 0, draft.output
    drafts = ["note.draft.docx", "note.draft.html", "note.draft.manifest.json", "note.draft.pdf"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*real, *drafts])
    for name, (data, mtime) in real.items():
        assert (out / name).read_bytes() == data, name
        assert (out / name).stat().st_mtime_ns == mtime, name

    manifest = json.loads((out / "note.manifest.json").read_text(encoding="utf-8"))
    draft_manifest = json.loads((out / "note.draft.manifest.json").read_text(encoding="utf-8"))
    assert manifest["draft"] is False
    assert draft_manifest["draft"] is True
    assert set(draft_manifest["outputs"]) == {
        "note.draft.pdf",
        "note.draft.docx",
        "note.draft.html",
    }
    pages = [p.extract_text() for p in pypdf.PdfReader(out / "note.draft.pdf").pages]
    assert all("DRAFT" in page for page in pages)

    for name in ("note.draft.pdf", "note.draft.html"):
        refused = invoke(["verify", str(out / name), "--project", str(root)])
        assert (refused.exit_code, refused.stdout) == (1, "")
        assert refused.stderr == (
            f"briefgen: {out / name} is a draft: drafts are not verified; build without --draft\n"
        )
    real_pdf = str(out / "note.pdf")
    ok = invoke(["verify", real_pdf, "--project", str(root)])
    assert (ok.exit_code, ok.stdout) == (0, f"{real_pdf}: matches its inputs\n")

    # a draft renamed to pass for a real output is still refused, by its manifest
    for suffix in ("pdf", "manifest.json"):
        (out / f"note.{suffix}").write_bytes((out / f"note.draft.{suffix}").read_bytes())
    renamed = invoke(["verify", real_pdf, "--project", str(root)])
    assert renamed.exit_code == 1
    assert renamed.stderr == (
        f"briefgen: {real_pdf} is a draft: drafts are not verified; build without --draft\n"
    )


def test_verify_does_not_pass_a_manifest_that_does_not_say_whether_it_is_a_draft(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    assert invoke(["build", "note", "--to", "html", "--project", str(root)]).exit_code == 0
    manifest = root / "build/note.manifest.json"
    document = json.loads(manifest.read_text(encoding="utf-8"))
    del document["draft"]  # as an older briefgen wrote it, drafts and real builds alike
    manifest.write_text(json.dumps(document), encoding="utf-8")
    output = str(root / "build/note.html")
    result = invoke(["verify", output, "--project", str(root)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{output}: out of date\n"
        "  note.manifest.json does not say whether it is a draft: build again\n"
    )


# --------------------------------------------------------------------------- warnings


def test_build_prints_the_warnings_check_would_print(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    with (root / "briefs/sections/cooperation.md").open("a", encoding="utf-8") as f:
        f.write("\nOffenders trade child pornography on hidden services [@owen2015tor].\n")
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0, result.output
    check = _check_text(root, "note")
    assert (
        "briefs/sections/cooperation.md:18:17: warning terminology: 'child pornography' is "
        "discouraged: use 'child sexual abuse material (CSAM)'\n"
    ) in check
    assert check.endswith(": 0 errors, 1 warning\n")
    progress, _, rest = result.stderr.partition("\n")
    assert progress.startswith("note: TLP:CLEAR, ") and progress.endswith("note.html")
    assert rest == check
    assert (root / "build/note.html").is_file()
