"""briefgen import and a draft's own reference list: found, kept out of the sections, and
matched against the bibliography into a reference map the editor reviews first."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.bibliography import Entry
from briefgen.importer import load_ref_map
from briefgen.importer.reflist import (
    ListedReference,
    ReferenceList,
    find_reference_list,
    map_document,
    propose_map,
)
from tests.conftest import REPO, invoke

DRAFT = """\
Barriers to cooperation

Encryption
End-to-end encryption hides content from providers [1].
Anonymity networks hide who is talking [2] [3].

References
[1] Europol (2020). Internet Organised Crime Threat Assessment (IOCTA) 2020. The Hague.
[2] Owen, G. and Savage, N. (2015). The Tor Dark Net. Centre for International
    Governance Innovation.
[3] Smith, J. (2019). A study nobody here has in the bibliography.
"""


def draft_project(project: Callable[[str], Path], text: str = DRAFT) -> tuple[Path, Path]:
    root = project("basic")
    shutil.copy(REPO / "references.bib", root / "references.bib")
    draft = root.parent / "draft.txt"
    draft.write_text(text, encoding="utf-8")
    return root, draft


def test_a_reference_list_gives_a_map_to_review_and_no_section(
    project: Callable[[str], Path],
) -> None:
    root, draft = draft_project(project)
    result = invoke(["import", draft.name, "--project", str(root)], cwd=root.parent)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "draft.txt: a reference list of 3 entries (lines 8-11): 2 matched a bibliography "
        "entry; wrote the proposed map to basic/draft-refs.yaml\n"
        "next: review basic/draft-refs.yaml (every key is a guess until checked), then run "
        "'briefgen import draft.txt --refs basic/draft-refs.yaml'; no section was written yet\n"
    )
    assert not (root / "briefs/sections/encryption.md").exists()
    document = (root / "draft-refs.yaml").read_text(encoding="utf-8")
    assert "1: europol2020iocta  # title 1.00, author, year: [1] " not in document
    assert "\n1: europol2020iocta  # title 1.00, author, year: Europol (2020). Internet" in document
    assert "\n2: owen2015tor  # title 1.00, author, year: Owen, G. and Savage, N. (2015)." in (
        document
    )
    assert "\n# 3: ?  # no entry of the bibliography matches: Smith, J. (2019)." in document
    assert "Centre for International Governance Innovation." in document  # continuation joined
    assert load_ref_map(root / "draft-refs.yaml") == {1: "europol2020iocta", 2: "owen2015tor"}


def test_the_reviewed_map_imports_the_draft_without_its_list(
    project: Callable[[str], Path],
) -> None:
    root, draft = draft_project(project)
    assert invoke(["import", draft.name, "--project", str(root)], cwd=root.parent).exit_code == 0
    result = invoke(
        ["import", draft.name, "--refs", "basic/draft-refs.yaml", "--project", str(root)],
        cwd=root.parent,
    )
    assert result.exit_code == 0, result.output
    assert "draft.txt: the reference list (lines 8-11) is not a section\n" in result.stderr
    assert "draft.txt: reference [3] has no key in the map (lines 5)\n" in result.stderr
    written = sorted(p.name for p in (root / "briefs/sections").glob("*.md"))
    assert "references.md" not in written and "encryption.md" in written
    text = (root / "briefs/sections/encryption.md").read_text(encoding="utf-8")
    assert "providers [@europol2020iocta]." in text
    assert "talking [@owen2015tor] [3]." in text
    assert "Smith" not in text


def test_an_existing_map_is_not_overwritten_without_force(project: Callable[[str], Path]) -> None:
    root, draft = draft_project(project)
    (root / "draft-refs.yaml").write_text("1: mine\n", encoding="utf-8")
    result = invoke(["import", draft.name, "--project", str(root)], cwd=root.parent)
    assert result.exit_code == 1
    assert result.stderr.endswith("draft-refs.yaml:1: file exists: use --force to overwrite it\n")
    assert (root / "draft-refs.yaml").read_text(encoding="utf-8") == "1: mine\n"
    forced = invoke(["import", draft.name, "--force", "--project", str(root)], cwd=root.parent)
    assert forced.exit_code == 0
    assert load_ref_map(root / "draft-refs.yaml")[1] == "europol2020iocta"


def lines(text: str) -> list[str]:
    return text.split("\n")


def test_what_counts_as_a_reference_list() -> None:
    found = find_reference_list(lines(DRAFT), 1)
    assert found is not None and found.start == 6
    assert [(r.number, r.line) for r in found.entries] == [(1, 8), (2, 9), (3, 11)]
    # other headings, numbered, with a colon, in Markdown; other numbering styles
    for heading in ("## Bibliography", "7. Sources:", "**Works cited**", "Notes"):
        for entry in ("1. Europol", "(1) Europol", "1) Europol", "[1] Europol"):
            text = f"Title\n\nBody [1].\n\n{heading}\n{entry} (2020). IOCTA.\n"
            listed = find_reference_list(lines(text), 1)
            assert listed is not None and listed.start == 4, (heading, entry)
    # no heading: a closing run of two or more [n] entries
    closing = "Title\n\nBody [1] [2].\n\n[1] Europol, IOCTA 2020.\n[2] Owen, The Tor Dark Net.\n"
    assert find_reference_list(lines(closing), 1) == ReferenceList(
        4,
        (
            ListedReference(1, "Europol, IOCTA 2020.", 5),
            ListedReference(2, "Owen, The Tor Dark Net.", 6),
        ),
    )


def test_what_is_not_a_reference_list() -> None:
    for text in (
        "Title\n\nSteps\n1. Preserve the data.\n2. Ask the provider.\n",  # a numbered list
        "Title\n\nNotes\nThe notes of the meeting follow in prose.\n",  # a section named Notes
        "Title\n\nBody.\n\n[1] Only one entry closes the draft.\n",  # one entry, no heading
        "Title\n\nReferences\n",  # a heading with nothing under it
        "Title\n\nBody.\n\n[1] Europol.\nA paragraph after it.\n\n[2] x\n",  # prose between
    ):
        assert find_reference_list(lines(text), 1) is None, text


ENTRIES = {
    "a2019": Entry("a2019", "report", {"author": "{Europol}", "title": "Threat Report 2019"}, 1),
    "twin1": Entry("twin1", "misc", {"title": "Annual Report", "year": "2021"}, 5),
    "twin2": Entry("twin2", "misc", {"title": "Annual Report", "year": "2021"}, 9),
    "web": Entry("web", "misc", {"title": "Page", "url": "https://example.org/x/"}, 13),
}


def propose(text: str) -> tuple[str | None, str]:
    (proposal,) = propose_map([ListedReference(1, text, 3)], ENTRIES)
    return proposal.key, proposal.why


def test_matching_is_by_title_author_year_or_url_and_never_a_coin_toss() -> None:
    assert propose("Europol. Threat Report 2019.") == ("a2019", "title 1.00, author")
    assert propose("Annual Report (2021).") == (
        None,
        "more than one entry matches (twin1 or twin2)",
    )
    assert propose("See https://example.org/x.") == ("web", "same URL")
    assert propose("Report.") == (None, "no entry of the bibliography matches")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=5))
def test_any_entry_text_gives_a_map_that_loads_as_proposed(texts: list[str]) -> None:
    """Whatever an entry holds (#, colons, quotes, control characters, other scripts), the
    map is YAML whose only keys are the numbers proposed."""
    references = [ListedReference(i + 1, t, i + 1) for i, t in enumerate(texts)]
    proposals = propose_map(references, ENTRIES)
    document = map_document("draft.txt", ReferenceList(0, tuple(references)), proposals)
    loaded = yaml.safe_load(document) or {}
    assert loaded == {p.reference.number: p.key for p in proposals if p.key is not None}


def test_a_number_listed_twice_is_left_to_the_editor() -> None:
    twice = (ListedReference(1, "Threat Report 2019", 1), ListedReference(1, "Page", 2))
    proposals = propose_map(twice, ENTRIES)
    document = map_document("d.txt", ReferenceList(0, twice), proposals)
    assert yaml.safe_load(document) == {1: "a2019"}
    assert "# 1: ?  # the list numbers two entries so: Page" in document


def test_a_huge_draft_is_refused_before_it_is_read(project: Callable[[str], Path]) -> None:
    root, draft = draft_project(project)
    with open(draft, "wb") as handle:
        handle.truncate(3 * 2**30)  # 3 GB of nothing
    result = invoke(["import", draft.name, "--project", str(root)], cwd=root.parent)
    assert (result.exit_code, result.stderr) == (
        2,
        "briefgen: draft.txt: is 3072.0 MB, over the 16 MB a draft may hold: split it\n",
    )
