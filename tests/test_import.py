"""briefgen import: a plain-text draft with numeric references -> cited section modules."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.check import check
from briefgen.errors import ConfigError, SourceError
from briefgen.importer import (
    ImportReport,
    convert_draft,
    load_ref_map,
    slugify,
    write_sections,
)
from briefgen.load import load_project
from tests.conftest import REPO, SEEDS_MISSING

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED = SEEDS / "000_1e21f56ab026e97b.txt"
SEED_REFS = Path(__file__).parent / "data" / "seed-refs.yaml"
TODAY = dt.date(2026, 11, 23)

needs_seed = pytest.mark.skipif(
    not SEED.is_file(), reason=f"seed draft {SEED} is not present (it sits beside the repo)"
)


def convert(
    text: str, refs: dict[int, str] | None = None, prefix: str | None = None
) -> ImportReport:
    return convert_draft(text, refs or {}, prefix, TODAY)


def body(report: ImportReport, index: int = 0) -> str:
    return report.sections[index].markdown.split("---\n", 2)[2].strip()


# --------------------------------------------------------------------------- the seed draft


@pytest.fixture
def seed() -> ImportReport:
    if not SEED.is_file():
        pytest.skip(SEEDS_MISSING)
    return convert_draft(SEED.read_text(encoding="utf-8"), load_ref_map(SEED_REFS), None, TODAY)


def test_seed_sections(seed: ImportReport) -> None:
    assert seed.title == (
        "What technical and legal barriers block international cooperation in prosecuting "
        "CSAM distribution networks?"
    )
    assert [(s.id, s.title, s.line) for s in seed.sections] == [
        ("executive-summary", "Executive summary", 2),
        (
            "technical-opacity",
            "Technical opacity: encryption, anonymization and decentralized tooling that "
            "hide actors",
            4,
        ),
        (
            "the-synthetic-content-problem",
            "The synthetic content problem: AI complicates victim identification and evidence",
            6,
        ),
        (
            "financial-and-crypto-obfuscation",
            "Financial and crypto obfuscation: payment trails that cross borders",
            8,
        ),
        (
            "legal-fragmentation",
            "Legal fragmentation: divergent CSAM definitions, penalties and enforcement powers",
            10,
        ),
        (
            "procedural-friction",
            "Procedural friction: slow mutual legal assistance and conflicting systems",
            12,
        ),
        (
            "platform-privacy-and-policy-tradeoffs",
            "Platform, privacy and policy tradeoffs: private sector cooperation is uneven",
            14,
        ),
        ("conclusion", "Conclusion — practical limits and avenues for progress", 16),
    ]


def test_seed_citations_and_report(seed: ImportReport) -> None:
    opacity = seed.sections[1].markdown
    assert opacity.startswith(
        "---\n"
        "title: 'Technical opacity: encryption, anonymization and decentralized tooling that "
        "hide actors'\n"
        "marking: TLP:CLEAR\n"
        "audiences: [all]\n"
        "reviewed: 2026-11-23\n"
        "---\n"
        "\n"
        "End‑to‑end encryption and anonymization tools"
    )
    assert "identification and attribution [@europol2023iocta; @nca2024policechiefs]. " in opacity
    assert "forensic techniques instead [@fortin2021challenges; @wired2019bitcoin].\n" in opacity
    # [5] is deliberately unmapped: the mapped numbers form the group, [5] stays as written
    summary = body(seed, 0)
    assert summary.endswith(
        "remain incomplete or contested [@europol2023iocta; @icmec2018model] [5]."
    )
    assert "[@europol2023iocta; @iwf2023ai; @wired2019bitcoin; @icmec2018model]" in summary
    assert "[1]" not in "".join(s.markdown for s in seed.sections)

    assert seed.unmapped == ((5, (3, 13, 17)),)
    assert seed.uncited == (
        (
            17,
            "Where sources are silent, this reporting does not assert the presence or absence "
            "of specific bilateral agreements or secret operational capabilities; those "
            "details lie beyond the provided documents.",
        ),
    )


def test_seed_written_into_a_project_is_checked(
    seed: ImportReport, project: Callable[[str], Path]
) -> None:
    root = project("basic")
    shutil.copy(REPO / "references.bib", root / "references.bib")  # the keys the map uses
    written = write_sections(seed, root / "briefs" / "sections", force=False)
    assert [p.name for p in written] == [f"{s.id}.md" for s in seed.sections]

    imported = {f"briefs/sections/{s.id}.md" for s in seed.sections}
    everything = check(load_project(root)).findings
    # imported sections join no brief by themselves: each is reported as in none
    orphans = sorted(f.file for f in everything if f.rule == "orphan-section")
    assert orphans == sorted(imported)
    findings = [f for f in everything if f.file in imported and f.rule != "orphan-section"]
    # every key the map gave exists: the only problems are the sentences an editor must source
    assert {f.rule for f in findings} == {"uncited-claim"}
    flagged = {(f.file, f.line, f.text) for f in findings}
    assert flagged == {
        # the sentence the report listed as having no reference
        ("briefs/sections/conclusion.md", 8, seed.uncited[0][1]),
        # the sentence whose only reference, [5], has no key (reported as unmapped)
        (
            "briefs/sections/procedural-friction.md",
            8,
            "International expert meetings and UNODC workstreams emphasize removal and "
            "re‑upload prevention, but also note limits in implementation and follow‑through "
            "among states [5].",
        ),
    }
    assert len(findings) == len(seed.uncited) + 1


def test_seed_ref_map_maps_every_number_but_five() -> None:
    refs = load_ref_map(SEED_REFS)
    assert sorted(refs) == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]
    bib = (REPO / "references.bib").read_text(encoding="utf-8")
    assert all(f"{{{key}," in bib for key in refs.values())


@needs_seed
def test_seed_without_refs_reports_every_number_once() -> None:
    report = convert(SEED.read_text(encoding="utf-8"))
    assert [n for n, _ in report.unmapped] == list(range(1, 13))
    assert dict(report.unmapped)[1] == (3, 5, 11, 17)
    assert dict(report.unmapped)[12] == (15,)
    assert "[1] [6]" in report.sections[1].markdown  # left as written
    assert "[@" not in "".join(s.markdown for s in report.sections)


# --------------------------------------------------------------------------- references


def test_adjacent_and_listed_references_merge() -> None:
    report = convert(
        "Title\nFindings\nOne [1] [6]. Two [1][2]. Three [1, 4]. Four [2-4]. Five [6] [6].\n"
        "A link [1](https://example.org) is not a reference [2].\n",
        {1: "k1", 2: "k2", 3: "k3", 4: "k4", 6: "k6"},
    )
    assert body(report) == (
        "One [@k1; @k6]. Two [@k1; @k2]. Three [@k1; @k4]. Four [@k2; @k3; @k4]. Five [@k6]."
        "\n\nA link [1](https://example.org) is not a reference [@k2]."
    )
    assert report.unmapped == ()
    assert report.uncited == ()


def test_unmapped_numbers_are_reported_with_their_lines() -> None:
    draft = "Title\nFindings\nMapped [1]. Unmapped [7]. Mixed [1] [7] [9].\nAgain [9, 7].\n"
    report = convert(draft, {1: "k1"})
    assert report.unmapped == ((7, (3, 4)), (9, (3, 4)))
    assert body(report) == ("Mapped [@k1]. Unmapped [7]. Mixed [@k1] [7] [9].\n\nAgain [9, 7].")
    # sentences holding only unmapped references are not "uncited": they are in `unmapped`
    assert report.uncited == ()


def test_uncited_sentences_are_reported_with_their_lines() -> None:
    draft = (
        "Title\n"
        "\n"
        "# Background\n"
        "\n"
        "A sourced claim [1]. An unsourced one.\n"
        "It wraps over a line\n"
        "and has no source. A claim cited after its full stop. [2] One more.\n"
    )
    report = convert(draft, {1: "a", 2: "b"})
    assert report.uncited == (
        (5, "An unsourced one."),
        (6, "It wraps over a line and has no source."),
        (7, "One more."),
    )
    assert body(report) == (
        "A sourced claim [@a]. An unsourced one.\n"
        "It wraps over a line\n"
        "and has no source. A claim cited after its full stop. [@b] One more."
    )


# --------------------------------------------------------------------------- headings and ids


def test_headings_ids_and_introduction() -> None:
    draft = (
        "# The draft's title\n"
        "Some text before any heading [1].\n"
        "## Legal frameworks\n"
        "Text [1].\n"
        "1. Legal frameworks: again\n"
        "Text [1].\n"
        "**2. Europol’s role in cross‑border cases, with a much longer heading text**\n"
        "Text [1].\n"
    )
    report = convert(draft, {1: "k"}, prefix="csam")
    assert report.title == "The draft's title"
    assert [(s.id, s.title, s.line) for s in report.sections] == [
        ("csam-introduction", "Introduction", 2),
        ("csam-legal-frameworks", "Legal frameworks", 3),
        ("csam-legal-frameworks-2", "Legal frameworks: again", 5),
        (
            "csam-europols-role-in-cross-border-cases",
            "Europol’s role in cross‑border cases, with a much longer heading text",
            7,
        ),
    ]


def test_slugs() -> None:
    assert slugify("Technical opacity and the encryption of everything we hold") == (
        "technical-opacity-and-the-encryption"
    )
    assert slugify("The Rational Choice Theory vs. The Deviance Model") == (
        "the-rational-choice-theory"
    )
    assert slugify("Über-Straße ★") == "uber-strasse"
    assert slugify("★ ☆") == "section"
    assert slugify("x" * 50) == "x" * 40


def test_numbered_lists_and_sentences_are_not_headings() -> None:
    draft = (
        "Title\n"
        "Overview\n"
        "Steps follow [1].\n"
        "1. Preserve the data\n"
        "2. Request it through mutual legal assistance\n"
        "3. The number 3. Is a sentence ending with a full stop.\n"
        "Closing remark [1].\n"
    )
    report = convert(draft, {1: "k"})
    assert [s.title for s in report.sections] == ["Overview"]
    assert "1. Preserve the data\n\n2. Request it" in report.sections[0].markdown


def test_hard_wrapped_draft_keeps_paragraphs_together() -> None:
    draft = (
        "A wrapped draft\n"
        "\n"
        "Executive summary\n"
        "Offenders hide behind anonymisation networks that route traffic\n"
        "through several relays, so investigators rarely see the origin [1].\n"
        "\n"
        "Cross-border requests remain slow and are governed by treaties\n"
        "Mutual legal assistance takes months [2].\n"
    )
    report = convert(draft, {1: "a", 2: "b"})
    assert [(s.title, s.line) for s in report.sections] == [("Executive summary", 3)]
    assert body(report) == (
        "Offenders hide behind anonymisation networks that route traffic\n"
        "through several relays, so investigators rarely see the origin [@a].\n"
        "\n"
        "Cross-border requests remain slow and are governed by treaties\n"
        "Mutual legal assistance takes months [@b]."
    )


@pytest.mark.skipif(not (SEEDS / "003_b6838a39e54abc7c.txt").is_file(), reason="seed absent")
def test_unnumbered_title_lines_split_the_second_seed(project: Callable[[str], Path]) -> None:
    report = convert((SEEDS / "003_b6838a39e54abc7c.txt").read_text(encoding="utf-8"))
    assert report.title == "Theoretical Frameworks in Understanding the Crime"
    titles = [s.title for s in report.sections]
    assert titles[:4] == [
        "Introduction",
        "The Rational Choice Theory vs. The Deviance Model",
        "The Vulnerability and Opportunity Framework",
        "Legal and Regulatory Challenges",
    ]
    assert titles[-1] == "Conclusion"
    assert len(titles) == 16
    assert report.unmapped == ()

    # a draft with no references at all: the report lists exactly what check will flag
    root = project("basic")
    write_sections(report, root / "briefs" / "sections", force=False)
    imported = {f"briefs/sections/{s.id}.md" for s in report.sections}
    flagged = [
        f.text
        for f in check(load_project(root)).findings
        if f.file in imported and f.rule == "uncited-claim"
    ]
    assert len(report.uncited) == 57
    assert sorted(flagged) == sorted(sentence for _, sentence in report.uncited)


def test_invalid_prefix() -> None:
    with pytest.raises(ConfigError) as err:
        convert("Title\nText.\n", prefix="CSAM_")
    assert str(err.value) == "invalid --prefix 'CSAM_': use lowercase letters, digits and '-'"


def test_empty_draft() -> None:
    with pytest.raises(ConfigError) as err:
        convert("\n  \n")
    assert str(err.value) == "the draft is empty: nothing to import"
    with pytest.raises(ConfigError) as err:
        convert("Only a title\n\n")
    assert str(err.value) == "the draft has nothing after its title line: nothing to import"


# --------------------------------------------------------------------------- writing


DRAFT = "Title\nFirst part\nA claim [1].\nSecond part\nAnother claim [1].\n"


def test_writes_complete_modules(tmp_path: Path) -> None:
    report = convert(DRAFT, {1: "k"})
    paths = write_sections(report, tmp_path / "sections", force=False)
    assert paths == [
        tmp_path / "sections" / "first-part.md",
        tmp_path / "sections" / "second-part.md",
    ]
    assert paths[0].read_text(encoding="utf-8") == (
        "---\n"
        "title: First part\n"
        "marking: TLP:CLEAR\n"
        "audiences: [all]\n"
        "reviewed: 2026-11-23\n"
        "---\n"
        "\n"
        "A claim [@k].\n"
    )


def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    sections = tmp_path / "sections"
    sections.mkdir()
    (sections / "second-part.md").write_text("mine\n", encoding="utf-8")
    report = convert(DRAFT, {1: "k"})
    with pytest.raises(SourceError) as err:
        write_sections(report, sections, force=False)
    assert str(err.value) == (
        f"{sections / 'second-part.md'}:1: section file exists: use --force to overwrite"
    )
    assert sorted(p.name for p in sections.iterdir()) == ["second-part.md"]
    assert (sections / "second-part.md").read_text(encoding="utf-8") == "mine\n"

    (sections / "first-part.md").write_text("mine too\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        write_sections(report, sections, force=False)
    assert err.value.message == "section file exists (and 1 more): use --force to overwrite"
    assert err.value.path == str(sections / "first-part.md")


def test_force_overwrites(tmp_path: Path) -> None:
    sections = tmp_path / "sections"
    sections.mkdir()
    (sections / "second-part.md").write_text("mine\n", encoding="utf-8")
    report = convert(DRAFT, {1: "k"})
    write_sections(report, sections, force=True)
    assert (
        (sections / "second-part.md")
        .read_text(encoding="utf-8")
        .endswith("\nAnother claim [@k].\n")
    )
    assert sorted(p.name for p in sections.iterdir()) == ["first-part.md", "second-part.md"]


# --------------------------------------------------------------------------- the reference map


def ref_map_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "refs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_ref_map(path)
    return str(err.value).replace(str(path), "refs.yaml")


def test_ref_map_reads_numbers_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text('# comment\n2: "@b"\n1: a\n"3": c:d\n', encoding="utf-8")
    assert load_ref_map(path) == {1: "a", 2: "b", 3: "c:d"}
    path.write_text("# nothing mapped yet\n", encoding="utf-8")
    assert load_ref_map(path) == {}


def test_ref_map_yaml_syntax_error(tmp_path: Path) -> None:
    assert ref_map_error(tmp_path, "1: europol2020iocta\n2: [unclosed\n3: b\n") == (
        "refs.yaml:3: YAML syntax error: while parsing a flow sequence, "
        "expected ',' or ']', but got ':'"
    )


def test_ref_map_problems_are_collected(tmp_path: Path) -> None:
    text = "1: a\nfoo: b\n2: [x, y]\n3:\n1: c\n4: has space\n0: z\n"
    assert ref_map_error(tmp_path, text).splitlines() == [
        "refs.yaml:2: 'foo' is not a reference number: write the draft's number, "
        "as in 1: europol2020iocta",
        "refs.yaml:3: reference 2: give one bibliography key, not a collection",
        "refs.yaml:4: reference 3 has no key: give a bibliography key",
        "refs.yaml:5: reference 1 is mapped twice (first on line 1): keep one",
        "refs.yaml:6: reference 4: 'has space' is not a bibliography key: write the key as "
        "references.bib spells it",
        "refs.yaml:7: '0' is not a reference number: write the draft's number, "
        "as in 1: europol2020iocta",
    ]


def test_ref_map_must_be_a_mapping(tmp_path: Path) -> None:
    assert ref_map_error(tmp_path, "# refs\n- a\n- b\n") == (
        "refs.yaml:2: expected a mapping of reference numbers to bibliography keys "
        "(1: europol2020iocta)"
    )


def test_ref_map_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_bytes(b"1: caf\xe9\n")
    with pytest.raises(ConfigError) as err:
        load_ref_map(path)
    assert str(err.value) == (
        f"{path}:1: not UTF-8 text (byte 0xe9 at line 1); save the file as UTF-8"
    )
    with pytest.raises(ConfigError) as err:
        load_ref_map(tmp_path / "missing.yaml")
    assert str(err.value) == (
        f"{tmp_path / 'missing.yaml'}: cannot read the reference map: No such file or directory"
    )
