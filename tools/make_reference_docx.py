"""Build templates/reference.docx from pandoc's default reference document.

Run by developers when the DOCX look changes (python-docx is a test extra):

    python tools/make_reference_docx.py

It adds the paragraph styles the filter uses (Assessment, Recommendation, Aside), the
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


def page_field(paragraph, instr: str) -> None:
    run = paragraph.add_run()
    run.font.size = Pt(8)
    for kind, text in (("begin", None), (None, instr), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


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
    for name in ("Title",):
        styles[name].font.color.rgb = NAVY

    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.4)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = header.add_run("BRIEFGEN-MARKING")
    run.bold = True
    run.font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run("BRIEFGEN-MARKING")
    run.bold = True
    run.font.size = Pt(9)
    footer.add_run("    Page ").font.size = Pt(8)
    page_field(footer, "PAGE")
    footer.add_run(" of ").font.size = Pt(8)
    page_field(footer, "NUMPAGES")
    doc.save(OUT)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
