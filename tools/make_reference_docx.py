"""Build templates/reference.docx from pandoc's default reference document.

Run by developers when the DOCX look changes (python-docx is a test extra):

    python tools/make_reference_docx.py

It adds the paragraph styles the filters use (Assessment, Recommendation, Aside; the title
block's Organisation and Front Matter; Portion Marking), the
character style Uncited, heading colours, and a header and footer holding the placeholder
BRIEFGEN-MARKING, which render.py replaces with each brief's marking in its TLP colours.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "templates" / "reference.docx"
NAVY = RGBColor(0x1F, 0x3B, 0x5A)


def default_reference() -> bytes:
    return subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        check=True,
        capture_output=True,
    ).stdout


def boxed(style, fill: str, border: str) -> None:
    ppr = style.element.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for k, v in {"w:val": "single", "w:sz": "24", "w:space": "8", "w:color": border}.items():
        left.set(qn(k), v)
    bdr.append(left)
    ppr.append(bdr)
    shd = OxmlElement("w:shd")
    for k, v in {"w:val": "clear", "w:color": "auto", "w:fill": fill}.items():
        shd.set(qn(k), v)
    ppr.append(shd)


def page_field(paragraph, instr: str, size: Pt) -> None:
    """A field in its five runs (begin, instruction, separate, a result, end), each at
    ``size``: an office suite draws the result in the runs' size, so "Page" and "1 of 8"
    are the same size (issue #19)."""
    parts = (("begin", None), (None, instr), ("separate", None), ("text", "1"), ("end", None))
    for kind, text in parts:
        run = paragraph.add_run()
        run.font.size = size
        if kind == "text":
            run.text = text
            continue
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def front_styles(styles, base) -> None:
    """The title block's styles (outputs.lua): the organisation above the title, and the
    "Prepared for", "Date" and "Marking" lines under it, as on the PDF's title page."""
    organisation = styles.add_style("Organisation", WD_STYLE_TYPE.PARAGRAPH)
    organisation.base_style = base
    organisation.font.bold = True
    organisation.font.all_caps = True
    organisation.font.size = Pt(10)
    organisation.font.color.rgb = RGBColor(0x50, 0x50, 0x50)
    organisation.paragraph_format.space_after = Pt(6)
    meta = styles.add_style("Front Matter", WD_STYLE_TYPE.PARAGRAPH)
    meta.base_style = base
    meta.paragraph_format.space_before = Pt(0)
    meta.paragraph_format.space_after = Pt(4)
    tag = styles.add_style("Portion Marking", WD_STYLE_TYPE.PARAGRAPH)
    tag.base_style = base
    tag.paragraph_format.keep_with_next = True
    tag.paragraph_format.space_after = Pt(2)


def main() -> int:
    doc = Document(io.BytesIO(default_reference()))
    styles = doc.styles
    base = styles["Body Text"] if "Body Text" in [s.name for s in styles] else styles["Normal"]
    for name, fill, border in (
        ("Assessment", "EEF3F8", "2F5D8A"),
        ("Recommendation", "EEF6EE", "2E7D32"),
        ("Aside", "F4F4F4", "888888"),
    ):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = base
        style.paragraph_format.left_indent = Cm(0.3)
        boxed(style, fill, border)
    front_styles(styles, base)
    uncited = styles.add_style("Uncited", WD_STYLE_TYPE.CHARACTER)
    rpr = uncited.element.get_or_add_rPr()
    shd = OxmlElement("w:shd")
    for k, v in {"w:val": "clear", "w:color": "auto", "w:fill": "FFD6D6"}.items():
        shd.set(qn(k), v)
    rpr.append(shd)
    for level in range(1, 4):
        name = f"Heading {level}"
        if name in [s.name for s in styles]:
            styles[name].font.color.rgb = NAVY
    for name in ("Title", "Subtitle"):  # left-aligned, as on the PDF's title page
        styles[name].font.color.rgb = NAVY
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.4)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = header.add_run("BRIEFGEN-MARKING")
    run.bold = True
    run.font.size = Pt(9)
    names = [s.name for s in styles]
    footer_style = styles["Footer"] if "Footer" in names else styles.add_style(
        "Footer", WD_STYLE_TYPE.PARAGRAPH
    )
    footer_style.font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run("BRIEFGEN-MARKING")
    run.bold = True
    run.font.size = Pt(9)
    footer.add_run("    Page ").font.size = Pt(8)
    page_field(footer, "PAGE", Pt(8))
    footer.add_run(" of ").font.size = Pt(8)
    page_field(footer, "NUMPAGES", Pt(8))
    doc.save(OUT)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
