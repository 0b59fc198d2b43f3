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
import html as html_lib
import json
import os
import posixpath
import re
import secrets
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from briefgen.assemble import DraftMark, plain_text, template_path
from briefgen.build import sentence_end
from briefgen.errors import RenderError
from briefgen.findings import Finding
from briefgen.model import Brief, Project, Section
from briefgen.render import brief_bibliography
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
        self.html: OrderedDict[str, str] = OrderedDict()  # context:part key -> its HTML
        self.cites: OrderedDict[str, list[str]] = OrderedDict()  # context:index -> citations
        self.renders = 0  # pandoc writing runs, for tests

    def remember(self, found: dict[str, Any], cites: bool = False) -> None:
        """Parts as rendered (or, ``cites``, their citations as rendered), newest kept."""
        store: OrderedDict[str, Any] = self.cites if cites else self.html
        with self._lock:
            for key, value in found.items():
                store[key] = value
                store.move_to_end(key)
            while len(store) > self.size:
                store.popitem(last=False)

    def prefetch(self, texts: Sequence[str]) -> None:
        """Read the texts not yet read, several pandoc processes at a time."""
        with self._lock:
            wanted = {t for t in texts if t and self._key(t) not in self._docs}
        if len(wanted) > 1:
            with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
                list(pool.map(self.blocks, sorted(wanted)))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def blocks(self, text: str) -> list[Json]:
        key = self._key(text)
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
            marks.append((DraftMark(start, sentence_end(section, start, f.text)), f.line))
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


@dataclass(frozen=True)
class Part:
    """A piece of the page rendered on its own: the front matter, a section, the references.
    ``key`` names its text (and whether the audience gets it)."""

    key: str
    blocks: list[Json]


def _part(reader: Reader, text: str, wrap: Json | None = None) -> Part:
    blocks = reader.blocks(text)
    if wrap is not None:
        blocks = [{"t": "Div", "c": [wrap, blocks]}]
    digest = hashlib.sha256(json.dumps([text, wrap]).encode("utf-8")).hexdigest()
    return Part(digest, blocks)


def _section_text(section: Section, marks: Sequence[Mark], kept: bool) -> tuple[str, Json]:
    """What pandoc reads of a section (heading and marked body), and the div around it."""
    text = f"# {plain_text(section.title)} {{#sec-{section.id}}}\n\n{marked_body(section, marks)}\n"
    classes = ["bg-section"] if kept else ["bg-section", "bg-withheld"]
    attrs = [["data-file", section.rel], ["data-section", section.id]]
    return text, ["", classes, attrs]


def _front(brief: Brief, sections: Sequence[Section]) -> str:
    parts = []
    if brief.purpose:
        parts.append(f"# Purpose {{.unnumbered .purpose}}\n\n{brief.purpose}\n")
    summaries = [s.summary.strip() for s in sections if s.summary and s.summary.strip()]
    if brief.executive_summary and summaries:
        items = "".join("- " + s.replace("\n", "\n  ") + "\n" for s in summaries)
        parts.append(f"# Executive summary {{.unnumbered .executive-summary}}\n\n{items}")
    return "\n".join(parts)


REFERENCES = "# References {.unnumbered}\n\n::: {#refs}\n:::\n"


def parts(
    reader: Reader, project: Project, brief: Brief, view: View, findings: Sequence[Finding]
) -> tuple[list[Part], str]:
    """The page's parts for the view (front, sections, references), and the Markdown they
    were read from (for the keys it may cite)."""
    pending: list[tuple[str, Json]] = []
    texts, shown = [], []
    for sid in brief.sections:
        section = project.sections.get(sid)
        if section is None:
            continue
        kept = "all" in section.audiences or view.audience in section.audiences
        if not kept and view.withheld != "show":
            continue
        shown.append(section)
        pending.append(_section_text(section, uncited_marks(section, findings), kept))
        texts.append(section.source)
    front = _front(brief, shown)
    reader.prefetch([front, *(text for text, _ in pending), REFERENCES])
    sections = [_part(reader, text, wrap) for text, wrap in pending]
    front_part = _part(reader, front) if front else Part("", [])
    return [front_part, *sections, _part(reader, REFERENCES)], "\n".join([front, *texts])


def stub(blocks: list[Json]) -> list[Json]:
    """Only what citeproc and the footnote numbering see of blocks: the divs (an audience
    may be left out with what it holds), each block's citations and footnotes, in order."""
    out: list[Json] = []
    for block in blocks:
        if block.get("t") == "Div":
            out.append({"t": "Div", "c": [block["c"][0], stub(block["c"][1])]})
            continue
        inlines = _cites(block.get("c"))
        if inlines:
            out.append({"t": "Para", "c": inlines})
    return out


def _cites(node: Json) -> list[Json]:
    if isinstance(node, dict):
        kind = node.get("t")
        if kind == "Cite":  # what numbers it: the keys, in order, and how it is cited
            bare = [{**c, "citationPrefix": [], "citationSuffix": []} for c in node["c"][0]]
            return [{"t": "Cite", "c": [bare, []]}, {"t": "Space"}]
        if kind == "Note":
            return [{"t": "Note", "c": stub(node["c"])}]
        return _cites(node.get("c"))
    if isinstance(node, list):
        return [found for item in node for found in _cites(item)]
    return []


def render(
    reader: Reader, project: Project, brief: Brief, view: View, findings: Sequence[Finding]
) -> str:
    """The brief's body as sanitised HTML for the view. Raises RenderError.

    A part whose text is unchanged, among parts whose citations and footnotes are all
    unchanged, is taken as last rendered; one changed part is rendered among the others'
    citations alone (what numbers its citations and notes as in the whole brief); more
    changes render the whole brief."""
    pieces, markdown = parts(reader, project, brief, view, findings)
    stubs = [stub(p.blocks) for p in pieces]
    context = hashlib.sha256(json.dumps([stubs, view.audience, view.withheld]).encode()).hexdigest()
    known: list[str | None] = [reader.html.get(f"{context}:{p.key}") for p in pieces]
    rendered = _fill(reader, project, view, markdown, pieces, known, context)
    done = zip(pieces, known, strict=True)
    reader.remember({f"{context}:{p.key}": html or "" for p, html in done})
    reader.remember({f"{context}:{i}": citations(known[i] or "") for i in rendered}, cites=True)
    return "".join(html or "" for html in known)


def _fill(
    reader: Reader,
    project: Project,
    view: View,
    markdown: str,
    pieces: list[Part],
    known: list[str | None],
    context: str,
) -> list[int]:
    """Render the parts not known (in place); which were rendered."""
    missing = [i for i, html in enumerate(known) if html is None]
    if len(missing) == 1 and missing[0] != len(pieces) - 1:
        i = missing[0]
        blocks = [p.blocks if j == i else stub(p.blocks) for j, p in enumerate(pieces)]
        known[i] = _recited(reader, project, view, blocks, i, reader.cites.get(f"{context}:{i}"))
        if known[i] is None:
            known[i] = _run(reader, project, view, markdown, blocks)[i]
        return [i]
    if missing:
        known[:] = _run(reader, project, view, markdown, [p.blocks for p in pieces])
        return list(range(len(pieces)))
    return []


def citations(html: str) -> list[str]:
    """Each rendered citation of a piece of HTML (``<span class="citation" ...>...</span>``,
    spans inside it included), in order."""
    found: list[str] = []
    start = html.find('<span class="citation"')
    while start >= 0:
        depth, pos = 0, start
        while True:
            opening, closing = html.find("<span", pos + 1), html.find("</span>", pos + 1)
            if closing < 0:
                return found
            if 0 <= opening < closing:
                depth, pos = depth + 1, opening
                continue
            if depth == 0:
                end = closing + len("</span>")
                found.append(html[start:end])
                break
            depth, pos = depth - 1, closing
        start = html.find('<span class="citation"', end)
    return found


def _recited(
    reader: Reader,
    project: Project,
    view: View,
    blocks: list[list[Json]],
    i: int,
    cited: list[str] | None,
) -> str | None:
    """Piece ``i`` written without citeproc, its citations then put back as the last
    render gave them (the same citations in the same places give the same text); None
    when there is no last render or the citations do not match one for one."""
    if cited is None:
        return None
    html = _run(reader, project, view, "", blocks, cite=False)[i]
    plain = citations(html)
    if len(plain) != len(cited):
        return None
    out, pos = [], 0
    for old, new in zip(plain, cited, strict=True):
        at = html.index(old, pos)
        out += [html[pos:at], new]
        pos = at + len(old)
    return "".join([*out, html[pos:]])


_IMG_RE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")')
MEDIA = "/media/"


def _media(match: re.Match[str]) -> str:
    """An image of the project, shown from the workspace's /media/ (which serves only the
    project's image files); any other source is left as it is (and not loaded: the page's
    policy allows images from the workspace alone)."""
    src = html_lib.unescape(match.group(2))
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "#")):
        return match.group(0)
    return match.group(1) + MEDIA + quote(posixpath.normpath(src)) + match.group(3)


CUT = "bg-cut-" + secrets.token_hex(8)
_CUT_RE = re.compile(rf'<div class="{CUT}">\s*</div>\n?')


def _run(
    reader: Reader,
    project: Project,
    view: View,
    markdown: str,
    pieces: list[list[Json]],
    cite: bool = True,
) -> list[str]:
    """pandoc's HTML of each piece, written as one document (``cite``: with citeproc)."""
    reader.renders += 1
    blocks: list[Json] = []
    for piece in pieces:
        blocks += [{"t": "Div", "c": [["", [CUT], []], []]}, *piece]
    doc = {"pandoc-api-version": reader.api_version, "meta": {}, "blocks": blocks}
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
            *(_citeproc(project, markdown, Path(tmp)) if cite else []),
            "--lua-filter",
            str(template_path(project, "brief.lua")),
            "--lua-filter",
            str(template_path(project, "citations.lua")),
            "--reference-location=block",
            "--wrap=none",
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
    html = page[len(b"<html><body>") : -len(b"</body></html>")].decode("utf-8")
    html = _IMG_RE.sub(_media, html)
    chunks = _CUT_RE.split(html)[1:]
    if len(chunks) != len(pieces):
        raise RenderError("the brief's preview could not be split into its sections")
    return chunks


def _citeproc(project: Project, markdown: str, tmp: Path) -> list[str]:
    bibliography = brief_bibliography(project, markdown, tmp, why="see the findings")
    return ["--citeproc", "--bibliography", bibliography, "--csl", str(project.config.csl)]
