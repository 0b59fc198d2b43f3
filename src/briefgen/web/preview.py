"""A brief as HTML for the workspace, as an audience would get it, read incrementally.

Each section (its heading and body, with its uncited sentences marked as a draft build marks
them) is read by pandoc once per version of its text and kept in memory; the brief is then
written from the sections' documents in one pandoc run, through the same filters as an
output (audience.lua, dated.lua, citeproc, brief.lua, citations.lua), so citations resolve
across the whole brief and numbered styles number as the outputs do. The HTML is sanitised
like the HTML output (briefgen.safety.sanitise_html): no script or event handler from
content reaches the page.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.assemble import DraftMark, plain_text, template_path
from briefgen.bibliography import cited_keys, read_bibliography, subset
from briefgen.build import _sentence_end
from briefgen.errors import RenderError
from briefgen.files import Refused, decode_text
from briefgen.findings import Finding
from briefgen.model import Brief, Project, Section
from briefgen.safety import sanitise_html
from briefgen.scan import pandoc
from briefgen.scan.locate import Locator

PREVIEW_FILTER = Path(__file__).resolve().parent / "preview.lua"
Json = Any


@dataclass(frozen=True)
class View:
    """What to show: the brief as ``audience`` gets it; ``withheld`` "show" keeps what that
    audience would not get, marked (class bg-withheld), "hide" leaves it out."""

    audience: str
    withheld: str = "hide"


class Reader:
    """Section documents by the text pandoc read, newest kept (at most ``size``)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self.reads = 0  # pandoc runs, for tests: an edit reads only the edited section
        self._docs: OrderedDict[str, Json] = OrderedDict()
        self._lock = threading.Lock()
        self.api_version: Json = None

    def blocks(self, text: str) -> list[Json]:
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._lock:
            if key in self._docs:
                self._docs.move_to_end(key)
                return list(self._docs[key])
        document = json.loads(pandoc.read(text))
        with self._lock:
            self.reads += 1
            self.api_version = document["pandoc-api-version"]
            self._docs[key] = document["blocks"]
            while len(self._docs) > self.size:
                self._docs.popitem(last=False)
        return list(document["blocks"])


Mark = tuple[DraftMark, int]  # where to mark, and the line its finding names


def uncited_marks(section: Section, findings: Iterable[Finding]) -> list[Mark]:
    """Where the section's uncited sentences stand in its body, as a draft build marks them."""
    locator: Locator | None = None
    marks: list[Mark] = []
    for f in findings:
        if f.rule != "uncited-claim" or f.file != section.rel:
            continue
        locator = locator or Locator(section.source)
        if f.line > len(locator.line_starts):
            continue
        start = locator.line_starts[f.line - 1] + f.column - 1
        if start >= section.body_offset:
            marks.append((DraftMark(start, _sentence_end(section, start, f.text)), f.line))
    return marks


def marked_body(section: Section, marks: Sequence[Mark]) -> str:
    """The body with each uncited sentence in a span naming its line (the page links the
    span to its finding)."""
    source, pieces, last = section.source, [], section.body_offset
    for mark, line in sorted(marks, key=lambda m: m[0].start):
        if mark.start < last:
            continue
        pieces.append(source[last : mark.start])
        end = mark.end if mark.end is not None else mark.start
        pieces.append("[" + source[mark.start : end] + f"]{{.uncited data-line={line}}}")
        last = end
    pieces.append(source[last:])
    return "".join(pieces).strip("\n")


def _section_div(reader: Reader, section: Section, marks: Sequence[Mark], kept: bool) -> Json:
    text = f"# {plain_text(section.title)} {{#sec-{section.id}}}\n\n{marked_body(section, marks)}\n"
    classes = ["bg-section"] if kept else ["bg-section", "bg-withheld"]
    attrs = [["data-file", section.rel], ["data-section", section.id]]
    return {"t": "Div", "c": [["", classes, attrs], reader.blocks(text)]}


def _front(brief: Brief, sections: Sequence[Section]) -> str:
    parts = []
    if brief.purpose:
        parts.append(f"# Purpose {{.unnumbered .purpose}}\n\n{brief.purpose}\n")
    summaries = [s.summary.strip() for s in sections if s.summary and s.summary.strip()]
    if brief.executive_summary and summaries:
        items = "".join("- " + s.replace("\n", "\n  ") + "\n" for s in summaries)
        parts.append(f"# Executive summary {{.unnumbered .executive-summary}}\n\n{items}")
    return "\n".join(parts)


def document(
    reader: Reader, project: Project, brief: Brief, view: View, findings: Sequence[Finding]
) -> tuple[Json, str]:
    """The brief's pandoc document for the view, and the Markdown it was read from (for the
    keys it may cite)."""
    blocks: list[Json] = []
    texts = []
    shown = []
    for sid in brief.sections:
        section = project.sections.get(sid)
        if section is None:
            continue
        kept = "all" in section.audiences or view.audience in section.audiences
        if not kept and view.withheld != "show":
            continue
        shown.append(section)
        blocks.append(_section_div(reader, section, uncited_marks(section, findings), kept))
        texts.append(section.source)
    front = _front(brief, shown)
    if front:
        blocks[:0] = reader.blocks(front)
    blocks += reader.blocks("# References {.unnumbered}\n\n::: {#refs}\n:::\n")
    return {"pandoc-api-version": reader.api_version, "meta": {}, "blocks": blocks}, (
        "\n".join([front, *texts])
    )


def render(
    reader: Reader, project: Project, brief: Brief, view: View, findings: Sequence[Finding]
) -> str:
    """The brief's body as sanitised HTML for the view. Raises RenderError."""
    doc, markdown = document(reader, project, brief, view, findings)
    first = "preview.lua" if view.withheld == "show" else "audience.lua"
    first_path = PREVIEW_FILTER if first == "preview.lua" else template_path(project, first)
    with tempfile.TemporaryDirectory(prefix="briefgen-serve-") as tmp:
        args = [
            "--from",
            "json",
            "--sandbox",
            "--lua-filter",
            str(first_path),
            "--lua-filter",
            str(template_path(project, "dated.lua")),
            "--citeproc",
            "--bibliography",
            _bibliography(project, markdown, Path(tmp)),
            "--csl",
            str(project.config.csl),
            "--lua-filter",
            str(template_path(project, "brief.lua")),
            "--lua-filter",
            str(template_path(project, "citations.lua")),
            "--to",
            "html5",
            "--metadata",
            f"briefgen-audience:{view.audience}",
            "--metadata",
            "link-citations:true",
            "--resource-path",
            str(project.root),
        ]
        out = pandoc.run(args, json.dumps(doc), timeout=pandoc.RENDER_TIMEOUT, cwd=project.root)
    page = sanitise_html(b"<html><body>" + out + b"</body></html>")
    return page[len(b"<html><body>") : -len(b"</body></html>")].decode("utf-8")


def _bibliography(project: Project, markdown: str, tmp: Path) -> str:
    """Only the entries the brief may cite (citeproc reads all it is given), or the whole
    file when it cannot be cut."""
    whole = project.config.bibliography
    try:
        text = decode_text(read_bibliography(project.root, whole))
    except (Refused, OSError, UnicodeDecodeError):
        raise RenderError(f"{project.rel(whole)}: cannot be read: see the findings") from None
    part = subset(text, cited_keys(markdown)) if "nocite" not in markdown else None
    path = tmp / "references.bib"
    path.write_text(part if part is not None else text, encoding="utf-8")
    return str(path)
