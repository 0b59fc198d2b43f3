"""Figures and tables (issue #19, item 7): image paths read beside the section (then from
the project) in all three outputs; check reports a missing or unshowable image at its
line; the HTML carries its images inside it; ``@fig-id`` / ``@tbl-id`` are numbered
cross-references, never citations."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pypdf
import pytest

from tests.conftest import PROJECTS, invoke

SECTION = "briefs/sections/anonymity.md"

FIGURES = """
@fig-chart shows the volume and @tbl-counts the counts [@owen2015tor].

![Volume of reports [@owen2015tor]](chart.png){#fig-chart}

![A map of hosting [@owen2015tor]](../../images/map.png){#fig-map}

| Year | Reports |
|------|---------|
| 2022 | 10 [@owen2015tor] |

: Reports per year [@owen2015tor] {#tbl-counts}

As [see @fig-map, p. 2] shows, hosting moves [@owen2015tor].
"""


def png(width: int = 4, height: int = 2, rgb: tuple[int, int, int] = (40, 90, 160)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def with_figures(root: Path, text: str = FIGURES) -> Path:
    (root / "briefs/sections/chart.png").write_bytes(png())  # beside the section
    (root / "images").mkdir(exist_ok=True)
    (root / "images/map.png").write_bytes(png(3, 3, (200, 60, 40)))  # from the project
    section = root / SECTION
    section.write_text(section.read_text(encoding="utf-8") + text, encoding="utf-8")
    return root


def check_json(root: Path) -> list[tuple[str, int, int, str, str]]:
    result = invoke(["check", "--format", "json", "--project", str(root)])
    found = json.loads(result.stdout)["findings"]
    return [(f["file"], f["line"], f["column"], f["rule"], f["message"]) for f in found]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("figures") / "basic"
    shutil.copytree(PROJECTS / "basic", root, ignore=shutil.ignore_patterns(".briefgen-cache"))
    with_figures(root)
    result = invoke(["build", "note", "--project", str(root)])
    assert result.exit_code == 0, result.output
    return root / "build"


def test_figures_beside_the_section_pass_the_check(project) -> None:  # type: ignore[no-untyped-def]
    root = with_figures(project("basic"))
    assert check_json(root) == []


def test_pdf_shows_both_images_numbered_and_cross_referenced(built: Path) -> None:
    reader = pypdf.PdfReader(built / "note.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Figure 1 shows the volume and Table 1 the counts" in text
    assert "Figure 1: Volume of reports" in text and "Figure 2: A map of hosting" in text
    assert "Table 1: Reports per year" in text
    assert "As see Figure 2, p. 2 shows" in text
    assert "@fig" not in text and "??" not in text
    images = sum(len(page.images) for page in reader.pages)
    assert images == 2


def test_docx_holds_both_images_and_numbered_captions(built: Path) -> None:
    with zipfile.ZipFile(built / "note.docx") as archive:
        media = sorted(archive.read(n) for n in archive.namelist() if n.startswith("word/media/"))
    assert media == sorted([png(), png(3, 3, (200, 60, 40))])
    texts = [" ".join(p.text.split()) for p in docx.Document(str(built / "note.docx")).paragraphs]
    assert "Figure 1: Volume of reports [1]" in texts
    assert "Figure 2: A map of hosting [1]" in texts
    assert any(t.startswith("Figure 1 shows the volume and Table 1 the counts") for t in texts)


def test_html_embeds_its_images_and_links_its_references(built: Path) -> None:
    html = (built / "note.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img [^>]*src="([^"]*)"', html)
    assert len(sources) == 2 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert '<a href="#fig-chart">Figure 1</a> shows' in html
    assert '<a href="#tbl-counts">Table 1</a>' in html
    assert '<figure id="fig-chart">' in html
    assert "<strong>Figure 1:</strong> Volume of reports" in html
    assert "<strong>Table 1:</strong> Reports per year" in html


def test_a_cross_reference_is_not_a_citation(project) -> None:  # type: ignore[no-untyped-def]
    root = with_figures(project("basic"), FIGURES + "\nThe trend is in @fig-chart.\n")
    # the sentence cites nothing: an uncited claim, and no unknown key 'fig-chart'
    assert check_json(root) == [
        (
            SECTION,
            32,
            1,
            "uncited-claim",
            "claim has no citation: cite a source ([@key]), or put analysis in a ::: "
            "judgment block",
        )
    ]


def test_a_cross_reference_to_no_figure_is_an_error_at_its_place(project) -> None:  # type: ignore[no-untyped-def]
    root = with_figures(
        project("basic"), FIGURES + "\nAs @fig-chrat and @tbl-none show [@owen2015tor].\n"
    )
    assert check_json(root) == [
        (
            SECTION,
            32,
            4,
            "cross-reference",
            "'@fig-chrat' names no figure (did you mean 'fig-chart'?): give the figure the id "
            "{#fig-chrat}, or correct the reference",
        ),
        (
            SECTION,
            32,
            19,
            "cross-reference",
            "'@tbl-none' names no table: give the table the id {#tbl-none}, or correct the "
            "reference",
        ),
    ]


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (
            lambda root: (root / "briefs/sections/chart.png").unlink(),
            "image 'chart.png' is not a file in the project: check the path (looked for it in "
            "briefs/sections/ beside the section, then in the project's folder)",
        ),
        (
            lambda root: (root / "briefs/sections/chart.png").write_bytes(b"GIF89a not a png"),
            "image 'chart.png' is not a PNG image: its bytes are of another kind",
        ),
        (
            lambda root: os.truncate(root / "briefs/sections/chart.png", 64 * 1024 * 1024 + 1),
            "image 'chart.png' is larger than 64 MB, more than briefgen embeds",
        ),
        (
            lambda root: (
                (root / "briefs/sections/chart.png").unlink(),
                (root / "briefs/sections/chart.png").mkdir(),
            ),
            "image 'chart.png' is not a file in the project",
        ),
    ],
)
def test_an_image_that_cannot_be_shown_is_reported_at_its_line(project, prepare, message) -> None:  # type: ignore[no-untyped-def]
    root = with_figures(project("basic"))
    prepare(root)
    found = check_json(root)
    assert [(f[0], f[1], f[3]) for f in found] == [(SECTION, 20, "raw-content")]
    assert found[0][4].startswith(message)
    result = invoke(["build", "note", "--project", str(root)])
    assert result.exit_code == 1 and not (root / "build/note.pdf").exists()


def test_a_path_out_of_the_project_is_refused_whichever_way_it_is_read(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    outside = root.parent / "outside.png"
    outside.write_bytes(png())
    text = "\n![A chart [@owen2015tor]](../../../outside.png)\n"
    with_figures(root, text)
    assert [f[3:] for f in check_json(root)] == [
        (
            "raw-content",
            "image '../../../outside.png' is outside the project: keep images inside it and "
            "give their path relative to it (images/figure.png)",
        )
    ]
