"""Daily paths: init, new, the claim ledger, refs, diff."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import invoke


def test_init_creates_a_project_that_checks_and_builds(tmp_path: Path) -> None:
    target = tmp_path / "briefs-project"
    result = invoke(["init", str(target)])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        ".gitignore",
        "briefgen.yaml",
        "briefs/note.yaml",
        "briefs/sections/anonymity.md",
        "briefs/sections/cooperation.md",
        "references.bib",
    ]
    assert invoke(["check", "--strict"], cwd=target).exit_code == 0
    build = invoke(["build", "--all"], cwd=target)
    assert build.exit_code == 0, build.output
    assert (target / "build" / "note.pdf").is_file()


def test_init_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke(["init", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"briefgen: {tmp_path} is not empty: use --force to add a project to it\n"
    )
    assert invoke(["init", str(tmp_path), "--force"]).exit_code == 0
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_new_section_and_brief(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    result = invoke(["new", "section", "cross-border", "--project", str(root)])
    assert result.exit_code == 0
    assert result.stderr == (
        "wrote briefs/sections/cross-border.md\n"
        "next: add '- cross-border' under sections: in briefs/note.yaml (no brief includes it "
        "yet), then run 'briefgen check'\n"
    )
    text = (root / "briefs/sections/cross-border.md").read_text(encoding="utf-8")
    for field in ("title:", "summary:", "marking:", "audiences:", "owner:", "reviewed:"):
        assert field in text
    again = invoke(["new", "section", "cross-border", "--project", str(root)])
    assert again.exit_code == 2
    assert "already exists: use --force to overwrite it" in again.stderr
    bad = invoke(["new", "brief", "Ministers Note", "--project", str(root)])
    assert bad.exit_code == 2
    assert bad.stderr == (
        "briefgen: invalid brief name 'Ministers Note': use lowercase letters, digits and '-' "
        "(for example 'cross-border-evidence')\n"
    )
    assert invoke(["new", "brief", "annex", "--project", str(root)]).exit_code == 0
    assert "audience: ministers" in (root / "briefs/annex.yaml").read_text(encoding="utf-8")


def test_a_new_brief_is_for_the_audience_of_its_name(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    result = invoke(["new", "brief", "investigators", "--project", str(root)])
    assert result.exit_code == 0
    assert result.stderr == (
        "wrote briefs/investigators.yaml\n"
        "next: list its sections under sections:, then run 'briefgen build investigators'\n"
    )
    text = (root / "briefs/investigators.yaml").read_text(encoding="utf-8")
    assert "audience: investigators" in text and "Note for investigators" in text
    args = ["new", "brief", "annex", "--audience", "investigator", "--project", str(root)]
    bad = invoke(args)
    assert bad.exit_code == 2
    assert bad.stderr == (
        "briefgen: unknown audience 'investigator' (did you mean 'investigators'?): audiences "
        "are ministers, investigators\n"
    )
    assert not (root / "briefs/annex.yaml").exists()


def test_a_new_section_can_join_a_brief_at_once(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    brief = root / "briefs/note.yaml"
    before = brief.read_text(encoding="utf-8")
    result = invoke(["new", "section", "cross-border", "--brief", "note", "--project", str(root)])
    assert result.exit_code == 0
    assert result.stderr == (
        "wrote briefs/sections/cross-border.md\n"
        "added 'cross-border' to the sections of briefs/note.yaml\n"
        "next: write it, then run 'briefgen check note'\n"
    )
    assert brief.read_text(encoding="utf-8") == before + "  - cross-border\n"
    check = invoke(["check", "--project", str(root), "--format", "json"])
    assert "orphan-section" not in check.stdout
    unknown = invoke(["new", "section", "other", "--brief", "nte", "--project", str(root)])
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "briefgen: unknown brief 'nte' (did you mean 'note'?): briefs are note\n"
    )
    assert not (root / "briefs/sections/other.md").exists()


def test_a_section_in_no_brief_is_reported(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    assert invoke(["new", "section", "lonely", "--project", str(root)]).exit_code == 0
    result = invoke(["check", "--project", str(root)])
    assert (
        "briefs/sections/lonely.md:1:1: warning orphan-section: section 'lonely' is in no "
        "brief, so no reader sees it: add it to a brief's sections: (briefs/note.yaml)"
    ) in result.stdout


def test_init_says_what_to_run_next(tmp_path: Path) -> None:
    result = invoke(["init", str(tmp_path / "p")])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        f"next: cd {tmp_path / 'p'} && briefgen check, then briefgen build --all; add a section "
        "of your own with: briefgen new section NAME --brief note"
    )


def ledger(root: Path) -> list[dict[str, str]]:
    result = invoke(["claims", "--project", str(root)])
    assert result.exit_code == 0
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_claim_ids_survive_an_unrelated_insertion(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    before = {r["text"]: r for r in ledger(root)}
    path = root / "briefs/sections/anonymity.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "Tor hidden services", "A new first claim [@owen2015tor].\n\nTor hidden services"
        ),
        encoding="utf-8",
    )
    after = {r["text"]: r for r in ledger(root)}
    assert set(after) - set(before) == {"A new first claim."}
    for sentence, row in before.items():
        assert after[sentence]["id"] == row["id"]
    moved = "Tor hidden services conceal the location of the server."
    assert int(after[moved]["line"]) == int(before[moved]["line"]) + 2
    assert before[moved]["status"] == "cited"
    assert before["We assess that this will continue."]["status"] == "exempt-judgment"


def test_refs_report(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    bib = root / "references.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8") + "\n@misc{spare, title = {Spare}, note = {verified}}\n",
        encoding="utf-8",
    )
    report = json.loads(invoke(["refs", "--project", str(root), "--format", "json"]).stdout)
    by_key = {e["key"]: e for e in report["entries"]}
    assert by_key["budapest2001"]["sections"] == {"anonymity": 1, "cooperation": 3}
    assert by_key["owen2015tor"]["citations"] == 2  # summary and body
    assert report["unused"] == ["spare"]
    assert report["missing_fields"] == ["spare"]
    assert by_key["spare"]["note"] == "verified"
    assert by_key["spare"]["missing"] == "author/editor and year/date"


def test_diff_shows_what_one_version_leaves_out(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    (root / "briefs/tech.yaml").write_text(
        "title: T\naudience: investigators\nsections: [cooperation]\n", encoding="utf-8"
    )
    result = invoke(["diff", "note", "tech", "--project", str(root), "--format", "json"])
    assert result.exit_code == 0
    d = json.loads(result.stdout)
    assert d["sections_only_in_a"] == ["anonymity"]
    assert d["sections_only_in_b"] == []
    assert [c["text"] for c in d["claims_only_in_b"]] == [
        "Investigators may request expedited preservation of stored data."
    ]
    text = invoke(["diff", "note", "tech", "--project", str(root)]).stdout
    assert "In tech, not in note: 0 sections, 1 claims" in text


def test_watch_rebuilds_after_each_change_and_survives_errors(project) -> None:  # type: ignore[no-untyped-def]
    from briefgen.build import BuildOutcome
    from briefgen.cache.memory import CacheMemory
    from briefgen.errors import BriefgenError
    from briefgen.watch import watch, watched_paths

    root = project("basic")
    section = root / "briefs/sections/anonymity.md"
    good = section.read_text(encoding="utf-8")
    config = (root / "briefgen.yaml").read_text(encoding="utf-8")
    seen: list[str] = []

    def report(outcome: BuildOutcome | BriefgenError) -> None:
        if isinstance(outcome, BriefgenError):
            seen.append("error: " + str(outcome).splitlines()[0])
        else:
            seen.append(
                f"{len(outcome.built)} built, {len(outcome.skipped)} up to date, "
                f"{len(outcome.findings)} findings"
            )

    def edits():  # type: ignore[no-untyped-def]
        section.write_text(good + "\nAn uncited sentence.\n", encoding="utf-8")
        yield {"modified"}
        (root / "briefgen.yaml").write_text("csl: [broken\n", encoding="utf-8")
        yield {"modified"}
        (root / "briefgen.yaml").write_text(config, encoding="utf-8")
        section.write_text(good, encoding="utf-8")
        yield {"modified"}

    memory = CacheMemory.open(root, True)  # as app.watch opens it: the build record lives there
    runs = watch(root, ["note"], ["html"], root / "build", report, changes=edits(), memory=memory)
    assert runs == 4
    assert seen[0] == "1 built, 0 up to date, 0 findings"
    assert seen[1] == "0 built, 0 up to date, 1 findings"  # refused: the uncited sentence
    assert seen[2].startswith("error: briefgen.yaml:2: YAML syntax error")
    assert seen[3] == "0 built, 1 up to date, 0 findings"  # back to the first state
    assert root / "briefs" in watched_paths(root)


def test_import_command_on_the_seed(project) -> None:  # type: ignore[no-untyped-def]
    seed = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_1e21f56ab026e97b.txt"
    if not seed.is_file():
        import pytest

        from tests.conftest import SEEDS_MISSING

        pytest.skip(SEEDS_MISSING)
    root = project("basic")
    refs = Path(__file__).parent / "data" / "seed-refs.yaml"
    args = ["import", str(seed), "--refs", str(refs), "--prefix", "seed", "--project", str(root)]
    result = invoke(args)
    assert result.exit_code == 0, result.output
    assert "wrote briefs/sections/seed-technical-opacity.md" in result.stderr
    assert f"{seed}: reference [5] has no key in the map (lines 3, 13, 17)" in result.stderr
    assert result.stderr.endswith(
        "8 sections, 1 unmapped references, 1 sentences without a reference: "
        "run 'briefgen check' next\n"
    )
    again = invoke(args)
    assert again.exit_code == 1
    assert again.stderr == (
        f"briefgen: {root.resolve()}/briefs/sections/seed-executive-summary.md:1: section file "
        "exists (and 7 more): use --force to overwrite\n"
    )
    assert invoke([*args, "--force"]).exit_code == 0


def test_a_colon_in_a_yaml_value_says_to_quote_it(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    brief = root / "briefs/note.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(
        text.replace("title: Cooperation", "title: Cooperation: the barriers", 1), "utf-8"
    )
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "briefs/note.yaml:1:1: error brief-file: YAML syntax error: mapping values are not "
        "allowed here (a value holding ': ' must be in quotes: title: \"Cause: effect\")"
    ) in result.stdout


def test_with_project_finding_paths_open_from_where_the_user_is(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs/sections/cooperation.md"
    section.write_text(section.read_text(encoding="utf-8") + "\nAn uncited claim.\n", "utf-8")
    args = ["check", "--project", "basic"]
    text = invoke(args, cwd=root.parent).stdout
    assert "basic/briefs/sections/cooperation.md:" in text
    github = invoke([*args, "--format", "github"], cwd=root.parent).stdout
    assert "file=basic/briefs/sections/cooperation.md," in github
    data = json.loads(invoke([*args, "--format", "json"], cwd=root.parent).stdout)
    assert {f["file"] for f in data["findings"]} == {"briefs/sections/cooperation.md"}
    inside = invoke(["check"], cwd=root).stdout
    assert "\nbriefs/sections/cooperation.md:" in inside


def test_check_takes_a_section_file_or_id(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs/sections/anonymity.md"
    section.write_text(section.read_text(encoding="utf-8") + "\nAn uncited claim.\n", "utf-8")
    by_path = invoke(["check", "briefs/sections/anonymity.md"], cwd=root)
    assert by_path.exit_code == 1
    assert "briefs/sections/anonymity.md:" in by_path.stdout
    assert by_path.stdout.strip().endswith(
        "1 section, 4 claims (3 cited, 1 uncited): 1 error, 0 warnings"
    )
    by_id = invoke(["check", "anonymity"], cwd=root)
    assert by_id.stdout == by_path.stdout
    other = invoke(["check", "cooperation"], cwd=root)
    assert other.exit_code == 0 and other.stdout.startswith("1 section,")
    outside = invoke(["check", "README.md"], cwd=root)
    assert outside.exit_code == 2
    assert outside.stderr == (
        "briefgen: README.md: not a section file of this project: name a brief, a section id, "
        "or a file in briefs/sections/\n"
    )
    unknown = invoke(["check", "anonimity"], cwd=root)
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "briefgen: unknown brief or section 'anonimity' (did you mean 'anonymity'?)\n"
    )


def test_template_placeholders_are_warnings_until_replaced(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    args = ["new", "section", "fresh", "--brief", "note", "--project", str(root)]
    assert invoke(args).exit_code == 0
    assert invoke(["new", "brief", "annex", "--project", str(root)]).exit_code == 0
    data = json.loads(invoke(["check", "--project", str(root), "--format", "json"]).stdout)
    found = [
        (f["file"], f["line"], f["message"]) for f in data["findings"] if f["rule"] == "placeholder"
    ]
    assert found == [
        (
            "briefs/annex.yaml",
            11,
            "purpose is still the template's placeholder ('To inform ... of ...'): say what the "
            "brief is for",
        ),
        (
            "briefs/sections/fresh.md",
            5,
            "summary is still the template's placeholder: write the section's summary, with its "
            "citation",
        ),
        (
            "briefs/sections/fresh.md",
            12,
            "owner is still the template's placeholder 'Your unit': name the unit that keeps "
            "this section current",
        ),
    ]
    section = root / "briefs/sections/fresh.md"
    section.write_text(
        section.read_text(encoding="utf-8").replace("Your unit", "Policy unit"), "utf-8"
    )
    data = json.loads(invoke(["check", "--project", str(root), "--format", "json"]).stdout)
    assert not any("'Your unit'" in f["message"] for f in data["findings"])
