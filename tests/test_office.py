"""The DOCX opens in a real office suite: LibreOffice converts each example brief to PDF.

Skipped where LibreOffice is not installed; ``.ci/run`` installs Debian's
``libreoffice-writer-nogui`` when it can.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdf
import pytest
from docx.document import Document as DocxDocument

from briefgen.load.config import load_config
from tests.conftest import copy_example, invoke

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")
if OFFICE is None:
    pytest.skip(
        "LibreOffice is not installed (neither `libreoffice` nor `soffice` is on PATH): "
        "install it (Debian: apt-get install libreoffice-writer-nogui; .ci/run does) to check "
        "the DOCX in a real office suite",
        allow_module_level=True,
    )

BRIEFS = ("ministers", "prosecutors", "investigators", "public")
TIMEOUT = 120  # seconds for one LibreOffice call converting all four briefs


@dataclass
class Converted:
    build: Path  # briefgen's output: <brief>.docx and <brief>.manifest.json
    pages: dict[str, list[list[str]]]  # the lines of each page of LibreOffice's <brief>.pdf
    outline: dict[str, list[str]]  # that PDF's bookmarks, which LibreOffice makes from headings


def words(text: str) -> str:
    return " ".join(text.split())


def styled(document: DocxDocument, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == style]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Converted:
    root = copy_example(tmp_path_factory.mktemp("office"))
    result = invoke(["build", "--all", "--to", "docx"], cwd=root)
    assert result.exit_code == 0, result.output

    out = root / "lo-pdf"
    profile = root / "lo-profile"  # private, so parallel runs don't share a profile
    command = [
        str(OFFICE),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        *(str(root / "build" / f"{brief}.docx") for brief in BRIEFS),
    ]
    # A session of its own, so a hung soffice.bin (a grandchild) dies with the wrapper.
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"LibreOffice took more than {TIMEOUT} s:\n{output}")
    assert process.returncode == 0, output
    pages, outline = {}, {}
    for brief in BRIEFS:
        pdf = out / f"{brief}.pdf"
        assert pdf.is_file(), f"no {brief}.pdf from LibreOffice:\n{output}"
        reader = pypdf.PdfReader(pdf)
        pages[brief] = [
            [line for line in page.extract_text().splitlines() if line.strip()]
            for page in reader.pages
        ]
        outline[brief] = [
            words(item.title or "")
            for item in reader.outline
            if isinstance(item, pypdf.generic.Destination)
        ]
    return Converted(build=root / "build", pages=pages, outline=outline)


@pytest.mark.parametrize("brief", BRIEFS)
def test_libreoffice_renders_title_marking_and_references(converted: Converted, brief: str) -> None:
    marking = json.loads((converted.build / f"{brief}.manifest.json").read_text())["marking"]
    assert marking in {"TLP:CLEAR", "TLP:AMBER"}
    label = load_config(converted.build.parent).audiences[brief].marking_label
    marking = label or marking  # what the reader sees: the audience's marking_label, if any
    document = docx.Document(str(converted.build / f"{brief}.docx"))
    titles = styled(document, "Title")
    entries = styled(document, "Bibliography")
    headings = [words(text) for text in styled(document, "Heading 1")]
    assert titles and titles[0].strip(), "the DOCX has no title"
    assert entries, "the DOCX has no bibliography entries"

    pages = converted.pages[brief]
    assert len(pages) >= 2
    if brief != "ministers":
        assert len(pages) > len(converted.pages["ministers"]), f"{brief}: no longer than ministers"

    assert words(titles[0]) in words(" ".join(pages[0])), "title missing from page 1"
    front = words(" ".join(pages[0]))  # the title block, as on the PDF's title page
    assert "Prepared for:" in front and "Date:" in front and f"Marking: {marking}" in front
    for number, lines in enumerate(pages, 1):
        assert marking in lines[0], f"page {number}: no {marking} in the header"
        assert re.search(rf"{marking}\s+Page {number}\b", lines[-1]), (
            f"page {number}: footer should read '{marking} Page {number}', got {lines[-1]!r}"
        )

    # The body without the header and footer line of each page, so text running
    # over a page break reads on.
    body = words(" ".join(" ".join(lines[1:-1]) for lines in pages))
    assert "Reference source not found" not in body  # LibreOffice's broken-field text
    assert "Assessment" in body and "Recommendation" in body  # labelled blocks
    # LibreOffice read the Heading 1 paragraphs as headings: they are the PDF's bookmarks.
    assert converted.outline[brief] == headings
    assert headings[-1] == "References"
    assert any(line.strip() == "References" for lines in pages[1:] for line in lines), (
        "no 'References' heading after page 1"
    )
    for entry in entries:  # each entry's label and first words, e.g. "[3] Internet Watch"
        opening = " ".join(words(entry).split()[:4])
        assert opening in body, f"bibliography entry missing: {opening!r}"
