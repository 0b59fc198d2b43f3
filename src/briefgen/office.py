"""The DOCX after pandoc: the marking stamped into every header and footer in its TLP
colours, the title in the document's properties, Word asked to update its fields (the
contents) on opening, and no machine paths in the custom properties."""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

from briefgen.rules.markings import MARKING_COLOURS

_MARKING_RUN = re.compile(r"<w:r>(?:(?!</w:r>).)*?BRIEFGEN-MARKING</w:t></w:r>", re.S)

_PATH_PROPERTY = re.compile(
    r'<property [^>]*name="(?:bibliography|csl)">(?:(?!</property>).)*</property>', re.S
)

_TITLE = re.compile(r"<dc:title>.*?</dc:title>|<dc:title\s*/>", re.S)

#: Word fills the contents (a field) only when fields are updated; with this setting it
#: offers to on opening. LibreOffice ignores it: there, Tools > Update > Update All.
UPDATE_FIELDS = '<w:updateFields w:val="true"/>'


def marking_run(marking: str, draft: bool = False, label: str | None = None) -> str:
    """The marking as a run: its TLP colour on black (a draft's warning before it),
    showing ``label`` (the audience's marking_label) when given."""
    colour = MARKING_COLOURS[marking]
    run = (
        '<w:r><w:rPr><w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/>'
        f'<w:b/><w:color w:val="{colour}"/><w:sz w:val="18"/>'
        '<w:shd w:val="clear" w:color="auto" w:fill="000000"/></w:rPr>'
        f'<w:t xml:space="preserve"> {escape(label or marking)} </w:t></w:r>'
    )
    if draft:
        run = (
            '<w:r><w:rPr><w:b/><w:color w:val="C00000"/><w:sz w:val="18"/></w:rPr>'
            '<w:t xml:space="preserve">DRAFT — NOT FOR CIRCULATION   </w:t></w:r>' + run
        )
    return run


def _settings(text: str) -> str:
    if "<w:updateFields" in text:
        return text
    return re.sub(r"(<w:settings\b[^>]*>)", lambda m: m.group(1) + UPDATE_FIELDS, text, count=1)


def _core(text: str, title: str) -> str:
    """docProps/core.xml with the title (outputs.lua takes it out of pandoc's metadata to
    write the title block itself, so pandoc leaves dc:title empty)."""
    element = f"<dc:title>{escape(title)}</dc:title>"
    if _TITLE.search(text):
        return _TITLE.sub(lambda _: element, text, count=1)
    return text.replace("</cp:coreProperties>", element + "</cp:coreProperties>")


def stamp_docx(
    data: bytes, marking: str, title: str = "", draft: bool = False, label: str | None = None
) -> bytes:
    """Put the marking, in its TLP colours, into the header and footer placeholders (its
    ``label`` when the audience has one); the title into the properties; updateFields into
    the settings."""
    run = marking_run(marking, draft, label)
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            name = info.filename
            if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
                text = _MARKING_RUN.sub(lambda _: run, content.decode("utf-8"))
            elif name == "docProps/custom.xml":
                # pandoc copies metadata into custom properties, machine paths included
                text = _PATH_PROPERTY.sub("", content.decode("utf-8"))
            elif name == "word/settings.xml":
                text = _settings(content.decode("utf-8"))
            elif name == "docProps/core.xml" and title:
                text = _core(content.decode("utf-8"), title)
            else:
                target.writestr(info, content, compress_type=info.compress_type)
                continue
            target.writestr(info, text.encode("utf-8"), compress_type=info.compress_type)
    return buffer.getvalue()
