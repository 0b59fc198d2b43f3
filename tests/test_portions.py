"""Portion marking (issue #19, item 6): an audience block or a section marked above
TLP:CLEAR is marked where it starts in the PDF, DOCX and HTML (a tag in its TLP colours,
and in the PDF a rule in that colour beside it); a marked section's heading carries its
marking, so the contents, the PDF outline and the DOCX navigation show it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pypdf
import pytest

from briefgen.assemble import assemble
from briefgen.load import load_project
from briefgen.render import render_typst
from tests.conftest import PROJECTS, invoke

BLOCK = "Investigators may request expedited preservation of stored data"


def investigators_brief(root: Path, section_marking: str = "TLP:CLEAR") -> Path:
    (root / "briefs/inv.yaml").write_text(
        "title: Cooperation for investigators\naudience: investigators\ndate: 2026-11-23\n"
        "sections:\n  - anonymity\n  - cooperation\n",
        encoding="utf-8",
    )
    section = root / "briefs/sections/cooperation.md"
    text = section.read_text(encoding="utf-8")
    section.write_text(text.replace("marking: TLP:CLEAR", f"marking: {section_marking}"))
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("portions") / "basic"
    shutil.copytree(PROJECTS / "basic", root, ignore=shutil.ignore_patterns(".briefgen-cache"))
    investigators_brief(root)
    result = invoke(["build", "inv", "note", "--project", str(root)])
    assert result.exit_code == 0, result.output
    return root / "build"


def words(text: str) -> str:
    return " ".join(text.split())


def test_pdf_tags_the_amber_block_where_it_starts(built: Path) -> None:
    text = words(" ".join(p.extract_text() for p in pypdf.PdfReader(built / "inv.pdf").pages))
    assert f"TLP:AMBER {BLOCK}" in text
    # one tag: the block; the rest of the marks are the header, footer and title page
    assert text.count(f"TLP:AMBER {BLOCK}") == 1


def test_pdf_draws_an_amber_rule_beside_the_block(tmp_path: Path) -> None:
    root = tmp_path / "basic"
    shutil.copytree(PROJECTS / "basic", root, ignore=shutil.ignore_patterns(".briefgen-cache"))
    project = load_project(investigators_brief(root))
    assembled = assemble(project, project.briefs["inv"], "TLP:AMBER")
    source = render_typst(project, assembled).decode("utf-8")
    block = source[source.index('stroke: (left: 2pt + rgb("#FFC000"))') :]
    assert re.search(r'#box\(fill: black.*rgb\("#FFC000"\)\)\[TLP:AMBER\]', block)
    assert block.index("TLP:AMBER") < block.index("Investigators may request")


def test_docx_tags_the_block_in_a_paragraph_of_its_own(built: Path) -> None:
    paragraphs = docx.Document(str(built / "inv.docx")).paragraphs
    tags = [i for i, p in enumerate(paragraphs) if p.style and p.style.name == "Portion Marking"]
    assert len(tags) == 1
    assert paragraphs[tags[0]].text.strip() == "TLP:AMBER"
    assert paragraphs[tags[0] + 1].text.startswith(BLOCK)
    xml = paragraphs[tags[0]]._p.xml
    assert 'w:val="FFC000"' in xml and 'w:fill="000000"' in xml
    # Word draws no rule beside a block: where the portion ends is marked as well
    ends = [i for i, p in enumerate(paragraphs) if p.style and p.style.name == "Portion End"]
    assert len(ends) == 1 and ends[0] > tags[0] + 1
    assert paragraphs[ends[0]].text.strip() == "End of  TLP:AMBER"
    assert paragraphs[ends[0] - 1].text.strip()  # the block's last paragraph before it


def test_html_tags_and_rules_the_block(built: Path) -> None:
    html = words((built / "inv.html").read_text(encoding="utf-8"))
    assert re.search(
        r'<div class="portion tlp-amber"> <div> <span class="portion-mark tlp-amber">TLP:AMBER'
        r"</span> </div> <p>" + BLOCK,
        html,
    ), html[html.find("portion") - 200 : html.find("portion") + 400]


def test_a_brief_without_marked_portions_has_no_tag(built: Path) -> None:
    html = (built / "note.html").read_text(encoding="utf-8")
    assert 'class="portion' not in html
    assert BLOCK not in html  # the investigators' block is not the ministers'
    assert not [
        p for p in docx.Document(str(built / "note.docx")).paragraphs
        if p.style and p.style.name == "Portion Marking"
    ]


def test_a_marked_section_is_tagged_and_its_heading_says_so(project) -> None:  # type: ignore[no-untyped-def]
    root = investigators_brief(project("basic"), section_marking="TLP:GREEN")
    result = invoke(["build", "inv", "--project", str(root)])
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(root / "build/inv.pdf")
    outline = [words(item.title) for item in reader.outline if not isinstance(item, list)]
    assert "2 Cooperation (TLP:GREEN)" in outline
    text = words(" ".join(p.extract_text() for p in reader.pages))
    assert "2 Cooperation (TLP:GREEN) TLP:GREEN Parties must provide" in text
    document = docx.Document(str(root / "build/inv.docx"))
    paragraphs = document.paragraphs
    headings = [p.text.split("\t")[-1] for p in paragraphs if p.style.name == "Heading 1"]
    assert "Cooperation (TLP:GREEN)" in headings
    html = words((root / "build/inv.html").read_text(encoding="utf-8"))
    assert '<div class="portion tlp-green">' in html
    assert "Cooperation (TLP:GREEN)</h2>" in html


def test_content_cannot_forge_a_portion(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs/sections/anonymity.md"
    section.write_text(
        section.read_text(encoding="utf-8")
        + '\n::: {.briefgen-portion marking="TLP:CLEAR"}\nForged [@owen2015tor].\n:::\n',
        encoding="utf-8",
    )
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert "error markup:" in result.stdout and "marking=" in result.stdout
