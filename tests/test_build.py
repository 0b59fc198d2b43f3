"""Real builds: PDF through Typst, DOCX with the reference document, standalone HTML."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import docx
import pypdf
import pytest

from tests.conftest import PROJECTS, REPO, invoke


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("build") / "basic"
    shutil.copytree(PROJECTS / "basic", root, ignore=shutil.ignore_patterns(".briefgen-cache"))
    result = invoke(["build", "--all", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "note: TLP:CLEAR" in result.stderr
    yield root / "build"


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def test_pdf_has_title_page_marking_on_every_page_and_references(built: Path) -> None:
    pages = pdf_pages(built / "note.pdf")
    assert len(pages) >= 2
    assert "Cooperation against online abuse networks" in pages[0]
    assert "Ministers and senior officials" in pages[0]
    assert "23 November 2026" in pages[0]
    for number, text in enumerate(pages, 1):
        assert "TLP:CLEAR" in text, f"page {number} has no marking"
        assert f"Page {number} of {len(pages)}" in text
    body = "\n".join(pages[1:])
    assert "References" in body
    assert "The Tor dark net" in body  # a cited work in the bibliography (IEEE case)
    assert "[1]" in body and "[2]" in body  # IEEE numeric citations
    assert "Assessment" in body and "Recommendation" in body  # labelled blocks
    # the investigators-only block is dropped for ministers
    assert "expedited preservation" not in body


def test_docx_uses_heading_styles_and_has_bibliography(built: Path) -> None:
    document = docx.Document(str(built / "note.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [h.split("\t")[-1] for h in headings] == [
        "Purpose",
        "Executive summary",
        "Anonymity networks",
        "Cooperation",
        "References",
    ]
    bibliography = [p.text for p in document.paragraphs if p.style.name == "Bibliography"]
    assert len(bibliography) == 2
    assert any("The Tor dark net" in entry for entry in bibliography)
    header = document.sections[0].header.paragraphs[0].text
    footer = document.sections[0].footer.paragraphs[0].text
    assert "TLP:CLEAR" in header and "TLP:CLEAR" in footer
    styles = {p.style.name for p in document.paragraphs}
    assert {"Assessment", "Recommendation"} <= styles


def test_html_is_standalone_with_marking_top_and_bottom(built: Path) -> None:
    html = " ".join((built / "note.html").read_text(encoding="utf-8").split())
    assert html.count('<div class="marking-banner') == 2
    assert "<style>" in html and "<link" not in html
    assert "<span>Tor</span> dark net" in html


def test_manifest_records_inputs_tools_claims_outputs(built: Path) -> None:
    manifest = json.loads((built / "note.manifest.json").read_text())
    assert manifest["brief"] == "note"
    assert manifest["marking"] == "TLP:CLEAR"
    assert set(manifest["inputs"]) == {
        "briefgen.yaml",
        "references.bib",
        "briefs/note.yaml",
        "briefs/sections/anonymity.md",
        "briefs/sections/cooperation.md",
    }
    assert manifest["claims"] == {"claims": 5, "cited": 5, "uncited": 0}
    assert set(manifest["outputs"]) == {"note.pdf", "note.docx", "note.html"}
    assert set(manifest["tools"]) == {"briefgen", "pandoc", "typst", "csl"}


def test_build_refuses_on_errors_and_writes_nothing(project) -> None:  # type: ignore[no-untyped-def]
    root = project("constructs")
    (root / "briefs" / "all.yaml").write_text(
        "title: T\naudience: public\nsections: [constructs]\n", encoding="utf-8"
    )
    result = invoke(["build", "all", "--project", str(root)])
    assert result.exit_code == 1
    assert "build refused: fix the errors above, or build with --draft" in result.stderr
    assert not (root / "build").exists()


def test_draft_build_marks_uncited_sentences(project) -> None:  # type: ignore[no-untyped-def]
    root = project("constructs")
    (root / "briefs" / "all.yaml").write_text(
        "title: T\naudience: public\nsections: [constructs]\n", encoding="utf-8"
    )
    result = invoke(["build", "all", "--draft", "--project", str(root)])
    assert result.exit_code == 0, result.output
    pages = pdf_pages(root / "build" / "all.draft.pdf")
    text = "\n".join(pages)
    assert all("DRAFT" in p for p in pages)
    assert "[UNCITED] An uncited sentence in a paragraph." in text
    html = " ".join((root / "build" / "all.draft.html").read_text(encoding="utf-8").split())
    assert '<span class="uncited"><strong>[UNCITED] </strong>An uncited list item.</span>' in html


def test_a_draft_may_cite_an_unknown_key_and_still_build(project) -> None:  # type: ignore[no-untyped-def]
    """Only a draft can hold a key the bibliography lacks: its citation is unlinked
    (citations.lua) so that Typst, which refuses a link to a missing label, still builds."""
    root = project("basic")
    with (root / "briefs" / "sections" / "anonymity.md").open("a", encoding="utf-8") as f:
        f.write("\nAn unknown claim [@nosuchkey2026].\n")
    refused = invoke(["build", "note", "--project", str(root)])
    assert refused.exit_code == 1
    assert "unknown citation key 'nosuchkey2026'" in refused.stderr
    assert "typst" not in refused.stderr
    assert not (root / "build").exists()
    result = invoke(["build", "note", "--draft", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "nosuchkey2026" in "\n".join(pdf_pages(root / "build" / "note.draft.pdf"))


def test_builds_are_byte_reproducible(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    first, second = project("basic"), None
    second = first.parent / "again"
    shutil.copytree(first, second)
    for root in (first, second):
        result = invoke(["build", "note", "--project", str(root)])
        assert result.exit_code == 0, result.output
    for name in ("note.pdf", "note.docx", "note.html", "note.manifest.json"):
        assert (first / "build" / name).read_bytes() == (second / "build" / name).read_bytes(), name


def test_brief_date_fixes_every_date_inside_the_outputs(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without SOURCE_DATE_EPOCH, the brief's date: is the documents' own date (the DOCX's
    created/modified properties, the PDF's creation date), not the time of the build."""
    import zipfile

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = project("basic")
    result = invoke(["build", "note", "--to", "pdf,docx", "--project", str(root)])
    assert result.exit_code == 0, result.output
    core = zipfile.ZipFile(root / "build" / "note.docx").read("docProps/core.xml").decode()
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-23T00:00:00Z' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-11-23T00:00:00Z' in core
    assert (
        pypdf.PdfReader(root / "build" / "note.pdf")
        .metadata["/CreationDate"]
        .startswith("D:20261123000000")
    )


def test_bad_format_is_a_usage_error(project) -> None:  # type: ignore[no-untyped-def]
    result = invoke(["build", "--all", "--to", "pdf,odt", "--project", str(project("basic"))])
    assert result.exit_code == 2
    assert "unknown format 'odt': use pdf, docx, html" in result.stderr


def test_unchanged_brief_is_not_rendered_again(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)  # the record lives in the cache
    root = project("basic")
    first = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert "note: TLP:CLEAR" in first.stderr
    again = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert again.exit_code == 0
    assert again.stderr == "note: up to date\n"
    forced = invoke(["build", "note", "--to", "html", "--force", "--project", str(root)])
    assert "note: TLP:CLEAR" in forced.stderr
    # another format, an edited section, or a deleted output each trigger a build
    assert (
        "note: TLP:CLEAR"
        in invoke(["build", "note", "--to", "html,docx", "--project", str(root)]).stderr
    )
    manifest = json.loads((root / "build/note.manifest.json").read_text())
    assert set(manifest["outputs"]) == {"note.html", "note.docx"}
    (root / "build/note.docx").unlink()
    assert (
        "note: TLP:CLEAR"
        in invoke(["build", "note", "--to", "docx", "--project", str(root)]).stderr
    )
    section = root / "briefs/sections/cooperation.md"
    section.write_text(section.read_text() + "\nOne more claim [@budapest2001].\n")
    assert (
        "note: TLP:CLEAR"
        in invoke(["build", "note", "--to", "html", "--project", str(root)]).stderr
    )


def test_expected_marking_is_the_checks_for_every_example_brief() -> None:
    from briefgen.build import expected_marking
    from briefgen.check import check
    from briefgen.load import load_project

    for root in (REPO, PROJECTS / "basic"):
        project = load_project(root)
        result = check(project)
        for name, brief in project.briefs.items():
            assert expected_marking(project, brief) == result.briefs[name].marking, name


def test_a_wrong_marking_guess_is_rendered_again(project) -> None:  # type: ignore[no-untyped-def]
    """The marking guessed to render ahead of the check reads an audience block that is in
    fact inside a code block; the check says TLP:CLEAR and the outputs must say so too."""
    root = project("basic")
    section = root / "briefs" / "sections" / "cooperation.md"
    section.write_text(
        section.read_text(encoding="utf-8")
        + '\n~~~\n::: {.audience only="ministers" marking="TLP:GREEN"}\n:::\n~~~\n',
        encoding="utf-8",
    )
    from briefgen.build import expected_marking
    from briefgen.load import load_project

    loaded = load_project(root)
    assert expected_marking(loaded, loaded.briefs["note"]) == "TLP:GREEN"
    result = invoke(["build", "note", "--to", "pdf,html", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "note: TLP:CLEAR" in result.stderr
    pages = pdf_pages(root / "build" / "note.pdf")
    assert all("TLP:CLEAR" in page for page in pages)
    assert "\n".join(pages).count("TLP:GREEN") == 1  # the code block's text only
    html = (root / "build" / "note.html").read_text(encoding="utf-8")
    assert '<meta name="classification" content="TLP:CLEAR" />' in html
    manifest = json.loads((root / "build" / "note.manifest.json").read_text(encoding="utf-8"))
    assert manifest["marking"] == "TLP:CLEAR"


def test_bibliography_subset_keeps_strings_and_cited_entries_only() -> None:
    from briefgen.bibliography import cited_keys, subset

    text = (
        "% a comment\n@string{eu = {European Union}}\n"
        "@report{a, author = {{Europol}}, title = {A {IOCTA}}, institution = eu, year = 2019}\n"
        "@report{b, author = {X}, title = {B}, year = 2020}\n"
        "@comment{a, not an entry}\n"
    )
    part = subset(text, {"a"})
    assert part is not None
    assert "@string{eu" in part and "@report{a," in part
    assert "@report{b," not in part and "@comment" not in part
    assert subset("@report{a, title = {open}\n", {"a"}) is None  # unbalanced: use it whole
    assert cited_keys("As @smith2020. said [see @{odd key}; @doe-2021, p. 3].") >= {
        "smith2020",
        "odd key",
        "doe-2021",
    }


def test_a_brief_renders_the_same_with_its_bibliography_subset(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """citeproc gets only the entries a brief may cite; the output must not change."""
    import briefgen.render as render

    first = project("basic")
    second = first.parent / "again"
    shutil.copytree(first, second)
    outputs = []
    for root in (first, second):
        if root == second:
            monkeypatch.setattr(render, "subset", lambda text, keys: None)
        result = invoke(["build", "note", "--to", "html", "--project", str(root)])
        assert result.exit_code == 0, result.output
        outputs.append((root / "build" / "note.html").read_bytes())
    assert outputs[0] == outputs[1]
    assert b"References" in outputs[0]
