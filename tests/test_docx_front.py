"""The DOCX as the PDF is (issue #19, item 4): the organisation, title, "Prepared for",
"Date" and "Marking" block; a contents field Word fills on opening (updateFields); the
marking in every header and footer; a footer in one size. LibreOffice's own rendering of
every page is checked in tests/test_office.py."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest

from tests.conftest import PROJECTS, invoke


@pytest.fixture(scope="module")
def note(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docx") / "basic"
    shutil.copytree(PROJECTS / "basic", root, ignore=shutil.ignore_patterns(".briefgen-cache"))
    result = invoke(["build", "--all", "--to", "docx", "--project", str(root)])
    assert result.exit_code == 0, result.output
    return root / "build" / "note.docx"


def part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def test_docx_opens_with_the_title_block_of_the_pdf(note: Path) -> None:
    document = docx.Document(str(note))
    front = []
    for paragraph in document.paragraphs:
        if paragraph.style is not None and paragraph.style.name == "Heading 1":
            break
        if paragraph.text.strip():
            front.append((paragraph.style.name if paragraph.style else "", paragraph.text))
    assert front == [
        ("Organisation", "Test Ministry — Policy Unit"),
        ("Title", "Cooperation against online abuse networks"),
        ("Subtitle", "Test note"),
        ("Front Matter", "Prepared for: Ministers and senior officials"),
        ("Front Matter", "Date: 23 November 2026"),
        ("Front Matter", "Marking:  TLP:CLEAR "),
    ]
    # pandoc wrote no title, date or contents of its own
    styles = [p.style.name for p in document.paragraphs if p.style is not None]
    assert "Date" not in styles and styles.count("Title") == 1
    assert document.core_properties.title == "Cooperation against online abuse networks"


def test_docx_asks_word_to_fill_its_contents_on_opening(note: Path) -> None:
    assert part(note, "word/settings.xml").count('<w:updateFields w:val="true"/>') == 1
    body = part(note, "word/document.xml")
    assert body.count('<w:docPartGallery w:val="Table of Contents"/>') == 1
    assert 'TOC \\o "1-1"' in body
    # the contents come after the title block
    assert body.index("Prepared for:") < body.index("Table of Contents")


def test_docx_marking_in_header_and_footer_in_its_colours(note: Path) -> None:
    document = docx.Document(str(note))
    for section in document.sections:
        assert "TLP:CLEAR" in section.header.paragraphs[0].text
        assert "TLP:CLEAR" in section.footer.paragraphs[0].text
    with zipfile.ZipFile(note) as archive:
        parts = [n for n in archive.namelist() if re.fullmatch(r"word/(header|footer)\d*\.xml", n)]
        texts = [archive.read(n).decode("utf-8") for n in parts]
    assert parts and all("BRIEFGEN-MARKING" not in text for text in texts)


def test_docx_footer_page_numbers_are_one_size(note: Path) -> None:
    """"Page", the page number, "of" and the page count: every run but the marking's is 8 pt,
    and each field has a result run of that size (LibreOffice drew an unsized one larger)."""
    footer = part(note, "word/footer1.xml")
    runs = re.findall(r"<w:r>(.*?)</w:r>", footer, re.S)
    sizes = {re.search(r'<w:sz w:val="(\d+)"/>', run).group(1) for run in runs[1:]}  # type: ignore[union-attr]
    assert sizes == {"16"}
    assert footer.count('w:fldCharType="separate"') == 2


def test_hostile_title_and_labels_stay_text_in_the_docx(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    hostile = 'A & B <w:p/> </dc:title> \\\\ [x](y) &amp; &#x3c;'
    brief = root / "briefs" / "note.yaml"
    brief.write_text(
        brief.read_text().replace(
            "title: Cooperation against online abuse networks", f"title: '{hostile}'"
        )
    )
    config = root / "briefgen.yaml"
    config.write_text(config.read_text().replace("Test Ministry — Policy Unit", "'<b>&amp;'"))
    result = invoke(["build", "--all", "--to", "docx", "--project", str(root)])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(root / "build" / "note.docx"))
    texts = [p.text for p in document.paragraphs]
    assert hostile in texts and "<b>&amp;" in texts
    assert document.core_properties.title == hostile
