"""A per-audience marking_label: the text readers see in place of the TLP marking (in the
PDF's header and footer badges and title block, the DOCX header and footer, the HTML banner),
while the manifest, the check and the HTML's classification meta keep the TLP marking."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pypdf
import pytest

from briefgen.load.config import load_config
from tests.conftest import PROJECTS, invoke

#: A label that is Markdown, HTML, XML and Typst at once: each output must show it as text.
HOSTILE = "Public & <i>x</i> #set *y* $z$"


def with_label(root: Path, line: str) -> Path:
    config = root / "briefgen.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("    max_marking: TLP:GREEN\n", f"    max_marking: TLP:GREEN\n{line}\n"),
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("label") / "basic"
    shutil.copytree(PROJECTS / "basic", root, ignore=shutil.ignore_patterns(".briefgen-cache"))
    with_label(root, f"    marking_label: '{HOSTILE}'")
    result = invoke(["build", "--all", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "note: TLP:CLEAR" in result.stderr  # the build reports the TLP marking
    yield root / "build"


def test_pdf_shows_the_label_on_every_page_and_never_the_tlp_marking(built: Path) -> None:
    pages = [page.extract_text() for page in pypdf.PdfReader(built / "note.pdf").pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert HOSTILE in text, f"page {number} has no label"
        assert "TLP:" not in text, f"page {number} shows the TLP marking"


def test_docx_header_and_footer_show_the_label_as_text(built: Path) -> None:
    document = docx.Document(str(built / "note.docx"))  # well-formed despite < & >
    section = document.sections[0]
    assert HOSTILE in "".join(p.text for p in section.header.paragraphs)
    assert HOSTILE in "".join(p.text for p in section.footer.paragraphs)
    with zipfile.ZipFile(built / "note.docx") as package:
        parts = [n for n in package.namelist() if re.fullmatch(r"word/(header|footer)\d*\.xml", n)]
        xml = "".join(package.read(n).decode() for n in parts)
    assert "TLP:" not in xml
    assert "<i>" not in xml


def test_html_banner_shows_the_escaped_label_and_meta_keeps_the_tlp_marking(built: Path) -> None:
    html = " ".join((built / "note.html").read_text(encoding="utf-8").split())  # as shown
    shown = "Public &amp; &lt;i&gt;x&lt;/i&gt; #set *y* $z$"
    assert html.count(f"<span>{shown}</span>") == 2  # the banners at top and bottom
    assert f"<dd>{shown}</dd>" in html
    assert '<meta name="classification" content="TLP:CLEAR" />' in html
    assert "<i>x</i>" not in html
    # printed page margins come from a style sheet: a label holding more than letters,
    # digits and spaces never reaches it; the TLP marking stands there instead
    assert html.count('content: "TLP:CLEAR";') == 2


def test_a_plain_label_is_printed_in_the_page_margins() -> None:
    from briefgen.assemble import _css_label

    assert _css_label("Public", "TLP:CLEAR") == "Public"
    assert _css_label("Official Sensitive", "TLP:AMBER") == "Official Sensitive"
    for hostile in ('Public"; } body { display: none', "Pub\\lic", "a/*", "x_y"):
        assert _css_label(hostile, "TLP:GREEN") == "TLP:GREEN"
    assert _css_label(None, "TLP:RED") == "TLP:RED"


def test_manifest_keeps_the_tlp_marking(built: Path) -> None:
    manifest = json.loads((built / "note.manifest.json").read_text(encoding="utf-8"))
    assert manifest["marking"] == "TLP:CLEAR"


def test_a_label_loads_on_its_audience_and_is_one_line(project) -> None:  # type: ignore[no-untyped-def]
    root = with_label(project("basic"), "    marking_label: '  Public   release '")
    audiences = load_config(root).audiences
    assert audiences["ministers"].marking_label == "Public release"
    assert audiences["investigators"].marking_label is None


@pytest.mark.parametrize(
    "value",
    ["123", "''", "'   '", "'" + "x" * 41 + "'", '"Top\\nSecret"', '"Tab\\there"', "[Public]"],
)
def test_a_bad_label_stops_the_project_with_its_line(project, value: str) -> None:  # type: ignore[no-untyped-def]
    root = with_label(project("basic"), f"    marking_label: {value}")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr == (
        "briefgen: briefgen.yaml:9: marking_label: one line of text, at most 40 characters, "
        "such as Public\n"
    )
