"""A paragraph's inlines (pandoc's AST) made into the plain text its sentences are split
from, with the places that decide the claim rule marked in it: citations and footnotes
(anchors), exempt spans, and text that is no prose (code, formulas, an author's citation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from briefgen.scan.model import EXEMPT_CLASSES, NO_ALT, Json, is_dated
from briefgen.scan.places import Places

_NO_SPACE_BEFORE = frozenset(".,;:!?)]}’”")
_STYLES = ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps")


@dataclass
class Anchor:
    offset: int  # in the flattened text
    keys: tuple[str, ...]
    kind: str  # "cite", "author" (author-in-text citation) or "note"


Notes = list[tuple[int, list[Json]]]  # (offset in the text, the footnote's blocks)


class DatedSpan(NamedTuple):
    """A dated span met in a unit: where its markup is, what it says, where its text is."""

    line: int
    column: int
    classes: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]
    start: int  # its text in the flattened text
    end: int


@dataclass
class Flat:
    text: list[str] = field(default_factory=list)
    length: int = 0
    anchors: list[Anchor] = field(default_factory=list)
    exempt: list[tuple[int, int, str]] = field(default_factory=list)
    inert: list[tuple[int, int]] = field(default_factory=list)  # code, math, @author: no prose
    breaks: list[int] = field(default_factory=list)  # where the source broke a line
    dated: list[DatedSpan] = field(default_factory=list)  # dated spans, in source order
    pending_space: bool = False

    def add(self, s: str) -> None:
        if self.pending_space:
            self.pending_space = False
            if s[:1] not in _NO_SPACE_BEFORE and self.length:
                self._append(" ")
        self._append(s)

    def _append(self, s: str) -> None:
        self.text.append(s)
        self.length += len(s)

    def space(self) -> None:
        if self.length and not self.pending_space:
            self.pending_space = True

    def value(self) -> str:
        return "".join(self.text)


class Flattener:
    """Flattens a unit's inlines, recording the markup met on the way (links, images,
    spans, attributes, raw content) in ``places``."""

    def __init__(self, places: Places) -> None:
        self.places = places

    def flatten(self, inlines: list[Json], flat: Flat, notes: Notes) -> None:
        # The hot path: Str and Space are most of any text. ``Flat.add`` is inlined here,
        # with the state in local variables, written back around every other inline.
        append = flat.text.append
        length = flat.length
        pending = flat.pending_space
        for node in inlines:
            t = node["t"]
            if t == "Str":
                s = node["c"]
                if pending:
                    pending = False
                    if length and s[:1] not in _NO_SPACE_BEFORE:
                        append(" ")
                        length += 1
                append(s)
                length += len(s)
            elif t == "Space":
                if length:
                    pending = True
            elif t == "SoftBreak" or t == "LineBreak":
                if length:
                    pending = True
                    flat.breaks.append(length)
            else:
                flat.length, flat.pending_space = length, pending
                self.flatten_other(t, node, flat, notes)
                length, pending = flat.length, flat.pending_space
        flat.length, flat.pending_space = length, pending

    def flatten_other(self, t: str, node: Json, flat: Flat, notes: Notes) -> None:
        """Every inline but Str and Space, which ``flatten`` handles itself."""
        if t in _STYLES:
            self.flatten(node["c"], flat, notes)
        elif t == "Quoted":
            self.quoted(node, flat, notes)
        elif t == "Cite":
            self.cite(node["c"][0], flat)
        elif t == "Note":
            flat.anchors.append(Anchor(flat.length, (), "note"))
            notes.append((flat.length, node["c"]))
        elif t in ("Code", "Math"):
            self.code(t, node, flat)
        elif t == "Link":
            self.places.target("link", node["c"][2][0], node["c"][0])
            self.flatten(node["c"][1], flat, notes)
        elif t == "Image":  # its alt text is not prose of the sentence
            described = _has_text(node["c"][1])
            self.places.target("image" if described else NO_ALT, node["c"][2][0], node["c"][0])
        elif t == "Span":
            self.span(node, flat, notes)
        elif t == "RawInline":
            self.places.raw(node["c"][0], node["c"][1])

    def quoted(self, node: Json, flat: Flat, notes: Notes) -> None:
        double = node["c"][0]["t"] == "DoubleQuote"
        flat.add("“" if double else "‘")
        self.flatten(node["c"][1], flat, notes)
        flat.add("”" if double else "’")

    def code(self, t: str, node: Json, flat: Flat) -> None:
        """Inline code or math: inert text, no prose of the sentence."""
        if t == "Code":
            self.places.attributes("code", node["c"][0])
        flat.add("")
        start = flat.length
        flat.add(node["c"][1])
        flat.inert.append((start, flat.length))

    def span(self, node: Json, flat: Flat, notes: Notes) -> None:
        """A bracketed span: its attributes recorded, its text exempt if its class says so."""
        _, classes, kvs = node["c"][0]
        exempt = next((k for k in EXEMPT_CLASSES if k in classes), None)
        dated = len(flat.dated)  # a dated span comes before the dated spans it holds
        start = flat.length
        self.flatten(node["c"][1], flat, notes)
        if exempt:
            flat.exempt.append((start, flat.length, exempt))
        if not (classes or kvs):
            return
        # found after what it holds: its ``]{`` follows every link and span inside it
        line, column = self.places.span(classes, kvs)
        if is_dated(classes, kvs):
            span = DatedSpan(line, column, tuple(classes), _pairs(kvs), start, flat.length)
            flat.dated.insert(dated, span)

    def cite(self, citations: list[Json], flat: Flat) -> None:
        """A citation's anchor. An author-in-text citation (``@key says``) stands in the
        sentence as ``@key``, which is no prose; a bracketed one stands as a space."""
        keys = tuple(c["citationId"] for c in citations if not is_cross_reference(c["citationId"]))
        for c in citations:
            if is_cross_reference(c["citationId"]):  # checked against the figures' ids
                self.places.target("crossref", "@" + c["citationId"], ["", [], []])
        if not keys:  # @fig-id, @tbl-id: rendered "Figure 2", cites nothing
            flat.add("")
            start = flat.length
            flat.add("@" + citations[0]["citationId"])
            flat.inert.append((start, flat.length))
            return
        if any(c["citationMode"]["t"] == "AuthorInText" for c in citations):
            flat.add("")
            start = flat.length
            flat.add(f"@{keys[0]}")
            flat.inert.append((start, flat.length))
            flat.anchors.append(Anchor(flat.length, keys, "author"))
        else:
            flat.space()
            flat.anchors.append(Anchor(flat.length + (1 if flat.length else 0), keys, "cite"))


#: Quarto's cross-reference prefixes: ``@fig-id`` and ``@tbl-id`` name a figure or table of
#: the brief (templates/figures.lua numbers them), never a bibliography entry.
CROSS_REFERENCE_PREFIXES = ("fig-", "tbl-")


def is_cross_reference(key: str) -> bool:
    return key.startswith(CROSS_REFERENCE_PREFIXES)


def _pairs(kvs: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in kvs)



def _has_text(inlines: list[Json]) -> bool:
    """Whether inlines hold any text (a word of an image's alt text)."""
    for node in inlines:
        t = node.get("t")
        if t == "Str" and node["c"].strip():
            return True
        content = node.get("c")
        if t in _STYLES and _has_text(content):
            return True
        if t in ("Link", "Span", "Quoted") and _has_text(content[1]):
            return True
        if t == "Code" and content[1].strip():
            return True
    return False
