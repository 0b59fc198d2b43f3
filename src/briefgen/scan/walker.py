"""The claim rule (README, "The claim rule"), as a pure function: one section file's source
and pandoc's AST of it in, everything the checker needs out (``FileScan``). No I/O, no
subprocess, no threads, no caches: pandoc runs, batching and caching are the callers'.

The rule, in the README's order, and where each part of it is decided here:

1. Every sentence of prose in a section body or ``summary`` is a claim and must carry at
   least one citation (``walk``; whether the key is in the bibliography is the checker's).
2. A sentence is cited when a citation stands inside it, in a citation group standing alone
   right after it, or in a footnote attached to it (``_attribute``, ``_Walker.footnotes``).
3. Paragraphs, list items, table cells, block quotes, captions and footnotes all hold
   sentences (``_Walker.block``); in a table, a citation in any cell of a row covers the
   whole row (``_Walker.row``).
4. Headings, table header cells, code, and anything inside a ``judgment``,
   ``recommendation`` or ``note`` div or span are not claims (``_Walker.block``,
   ``_Walker.table``, ``_Walker.div``, ``_Walker.claims``).
5. Each finding is at the line and column where its sentence starts in the file
   (``Locator.find_sentence``, from ``_Walker.claims``).
6. Code, a formula, or a footnote holding only a citation is not a claim; a footnote holding
   a citation cites the sentence it hangs on (``_Walker.claims``, ``_Walker.footnotes``).

Where one sentence ends and the next begins is decided in ``sentences``; how a paragraph's
inlines become its text, in ``inlines``; where markup is in the source, in ``places``.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from briefgen.scan.inlines import Anchor, Flat, Flattener, Notes
from briefgen.scan.locate import Locator
from briefgen.scan.model import (
    AUDIENCE_CLASS,
    EXEMPT_CLASSES,
    AudienceBlock,
    CitationUse,
    Dated,
    FileScan,
    Json,
    MetadataBlock,
    ScanInput,
    Sentence,
    is_dated,
    split_names,
)
from briefgen.scan.places import Places
from briefgen.scan.sentences import sentence_spans, settle

_LETTER_RE = re.compile(r"[^\W\d_]")


def walk(item: ScanInput, body: list[Json], summary: list[Json] | None = None) -> FileScan:
    """The scan of one section file from pandoc's blocks of its body and of its summary
    (None: it has none, or pandoc could not read it). Every sentence of prose in either is
    a claim; the summary's words do not count towards the body's length."""
    walker = _Walker(item.source, item.body_offset)
    places = walker.places
    start = item.summary_offset
    if item.summary is not None and start is not None and summary is not None:
        walker.where = "summary"
        places.cursor = places.floor = start
        walker.blocks(summary)
        walker.words.clear()
        places.cursor = places.floor = places.note_cursor = item.body_offset
        walker.where = "body"
    walker.blocks(body)
    return FileScan(
        tuple(walker.sentences),
        tuple(walker.citations),
        tuple(walker.audiences),
        tuple(walker.words.items()),
        tuple(places.raw_uses),
        markup=tuple(places.markup),
        targets=tuple(places.targets),
        fences=places.fence_problems(),
        dated=tuple(walker.dated),
    )


class _Walker:
    def __init__(self, source: str, body_offset: int) -> None:
        self.places = Places(source, body_offset)
        self.loc: Locator = self.places.loc
        self.inline = Flattener(self.places)
        self.sentences: list[Sentence] = []
        self.citations: list[CitationUse] = []
        self.audiences: list[AudienceBlock] = []
        self.dated: list[Dated] = []
        self.words: dict[tuple[int, ...], int] = {}
        self.stack: list[int] = []  # enclosing audience blocks
        self.exempt: list[str] = []  # enclosing exempt classes
        self.where = "body"
        self.in_note = 0

    # ---- blocks: what holds sentences, and what does not

    def blocks(self, blocks: list[Json]) -> list[str]:
        """Walk blocks; return every key cited in them (a footnote's cite its sentence)."""
        keys: list[str] = []
        for block in blocks:
            keys.extend(self.block(block))
        return keys

    def block(self, block: Json) -> list[str]:
        t = block.get("t")
        c = block.get("c")
        if t in ("Para", "Plain"):
            return self.unit(c)
        if t == "Header":  # not a claim
            self.places.attributes("heading", c[1])
            return self.unit(c[2], exempt_kind="heading")
        if t == "CodeBlock":  # not a claim
            self.places.attributes("code block", c[0])
            return []
        if t == "LineBlock":
            joined: list[Json] = []
            for line in c:
                joined.extend(line)
                joined.append({"t": "Space"})
            return self.unit(joined)
        if t == "RawBlock":
            self.places.raw(c[0], c[1])
            return []
        return self.container(t, c)

    def container(self, t: object, c: Json) -> list[str]:
        """A block holding blocks: quotes, lists, divs, tables, figures."""
        if t == "BlockQuote":
            return self.blocks(c)
        if t == "BulletList":
            return [k for item in c for k in self.blocks(item)]
        if t == "OrderedList":
            return [k for item in c[1] for k in self.blocks(item)]
        if t == "DefinitionList":
            keys: list[str] = []
            for term, definitions in c:
                keys.extend(self.unit(term, exempt_kind="heading"))
                for d in definitions:
                    keys.extend(self.blocks(d))
            return keys
        if t == "Div":
            return self.div(c[0], c[1])
        if t == "Table":
            return self.table(c)
        if t == "Figure":  # its caption, then its content
            return self.blocks(c[1][1]) + self.blocks(c[2])
        return []

    def div(self, attr: Json, blocks: list[Json]) -> list[str]:
        """A div: an exempt one (judgment, recommendation, note) holds no claims; an
        audience one marks the sentences in it as seen by its audiences only."""
        _, classes, kvs = attr
        line = self.places.div(classes, kvs)
        dated = len(self.dated) if is_dated(classes, kvs) else None
        if dated is not None:  # its text is the sentences walked in it, filled in below
            pairs = tuple((k, v) for k, v in kvs)
            self.dated.append(Dated(line, 1, "div", tuple(classes), pairs, "", tuple(self.stack)))
        first = len(self.sentences)
        exempt = next((k for k in EXEMPT_CLASSES if k in classes), None)
        if exempt:
            self.exempt.append(exempt)
        if AUDIENCE_CLASS in classes:
            attrs = dict(kvs)
            self.audiences.append(
                AudienceBlock(
                    only=split_names(attrs.get("only", "")),
                    exclude=split_names(attrs.get("except", "")),
                    marking=attrs.get("marking"),
                    line=line,
                )
            )
            self.stack.append(len(self.audiences) - 1)
        keys = self.blocks(blocks)
        if dated is not None:
            text = " ".join(s.text for s in self.sentences[first:])
            self.dated[dated] = self.dated[dated]._replace(text=text)
        if exempt:
            self.exempt.pop()
        if AUDIENCE_CLASS in classes:
            self.stack.pop()
        return keys

    def table(self, c: Json) -> list[str]:
        _, caption, _, head, bodies, foot = c
        keys = self.blocks(caption[1])
        for row in head[1]:  # header cells label columns, as headings do: not claims
            for cell in row[1]:
                self.exempt.append("heading")
                keys.extend(self.blocks(cell[4]))
                self.exempt.pop()
        for row in [r for body in bodies for r in body[2] + body[3]] + foot[1]:
            keys.extend(self.row(row))
        return keys

    def row(self, row: Json) -> list[str]:
        """A table row is one record: a citation in any of its cells covers the others."""
        first = len(self.sentences)
        keys = [k for cell in row[1] for k in self.blocks(cell[4])]
        if keys:
            row_keys = tuple(dict.fromkeys(keys))
            self.sentences[first:] = [
                s if s.keys else s._replace(keys=row_keys) for s in self.sentences[first:]
            ]
        return keys

    # ---- a unit of inlines (a paragraph, a list item, a cell): its sentences

    def unit(self, inlines: list[Json], exempt_kind: str | None = None) -> list[str]:
        """The sentences of a paragraph (or other run of inlines); return the keys cited
        in it. ``exempt_kind``: the unit holds no claims (a heading, a definition term)."""
        flat = Flat()
        notes: Notes = []
        self.places.begin_unit()
        self.inline.flatten(inlines, flat, notes)
        text = flat.value()
        audiences = tuple(self.stack)
        for d in flat.dated:
            shown = " ".join(text[d.start : d.end].split())
            self.dated.append(
                Dated(d.line, d.column, "span", d.classes, d.attributes, shown, audiences)
            )
        self.words[audiences] = self.words.get(audiences, 0) + len(text.split())
        # footnotes are walked first: their keys cite the sentence they hang on
        note_keys = self.footnotes(notes)
        for anchor in flat.anchors:
            if anchor.kind == "note":
                anchor.keys = tuple(note_keys.get(anchor.offset, ()))
        kind = exempt_kind or (self.exempt[-1] if self.exempt else None)
        return self.claims(text, flat, kind, audiences)

    def footnotes(self, notes: Notes) -> dict[int, list[str]]:
        """Walk the unit's footnotes (their sentences are claims too, found in the source
        where each footnote's text starts); return the keys each cites, by its anchor."""
        places = self.places
        note_keys: dict[int, list[str]] = {}
        starts = self.loc.note_starts() if notes else []
        for offset, blocks in notes:
            saved = places.cursor, self.where
            start = places.note_cursor
            if self.where == "body" and places.note_index < len(starts):
                start = starts[places.note_index]
                places.note_index += 1
            places.cursor, self.where = start, "footnote"
            self.in_note += 1
            note_keys[offset] = self.blocks(blocks)
            self.in_note -= 1
            places.note_cursor = places.cursor
            places.cursor, self.where = saved
        return note_keys

    def claims(
        self, text: str, flat: Flat, kind: str | None, audiences: tuple[int, ...]
    ) -> list[str]:
        """Split the unit's text into sentences, give each the keys of the citations that
        belong to it, find it in the source, and record it: a claim, or exempt."""
        places = self.places
        spans, doubts, owners = _sentences(text, flat.anchors, flat.breaks)
        prose = _prose_only(text, flat.inert)
        all_keys: list[str] = []
        by_owner: dict[int | None, list[Anchor]] = {}
        for anchor, owner in zip(flat.anchors, owners, strict=True):
            by_owner.setdefault(owner, []).append(anchor)
        for i, (start, end) in enumerate(spans):
            sentence = text[start:end].strip().replace("\xa0", " ")
            own = by_owner.get(i, [])
            keys = [k for a in own for k in a.keys]
            all_keys.extend(keys)
            if not _LETTER_RE.search(sentence) and not keys:
                continue
            offset = self.find(sentence)
            line, column = self.loc.position(offset)
            for anchor in own:
                if anchor.kind != "note":
                    self.record_citations(anchor.keys, offset)
            if not _LETTER_RE.search(prose, start, end):
                continue  # no prose: code, a formula, a citation standing alone
            status = _status(kind, _inside(start, end, text, flat.exempt) if flat.exempt else None)
            if status == "exempt-heading":
                continue
            unique = tuple(dict.fromkeys(keys))
            self.sentences.append(
                Sentence(line, column, sentence, unique, status, self.where, audiences, doubts[i])
            )
        # citations in text that made no sentence (a paragraph holding only a citation)
        for anchor, owner in zip(flat.anchors, owners, strict=True):
            if owner is None and anchor.kind != "note":
                self.record_citations(anchor.keys, places.cursor)
                all_keys.extend(anchor.keys)
        return all_keys

    def find(self, sentence: str) -> int:
        """The sentence's offset in the source, searched from the cursor, which moves past
        it (where it is not found: the cursor's offset)."""
        places = self.places
        found = self.loc.find_sentence(
            sentence, places.cursor, places.floor, in_note=self.in_note > 0
        )
        if found is None:
            return places.cursor
        places.cursor = found[1]
        return found[0]

    def record_citations(self, keys: tuple[str, ...], offset: int) -> None:
        for key in keys:
            pos = self.loc.find_literal("@" + key, offset, self.places.floor)
            if pos is None:
                pos = offset
            line, column = self.loc.position(pos)
            self.citations.append(CitationUse(key, line, column))


def _sentences(
    text: str, anchors: list[Anchor], breaks: list[int]
) -> tuple[list[tuple[int, int]], list[str], list[int | None]]:
    """The sentence spans of a unit's text, the doubt on each (see sentences.settle) and
    the sentence each anchor belongs to."""
    offsets = [a.offset for a in anchors if a.kind != "author"]
    spans = sentence_spans(text, offsets, breaks)
    pairs = [(s.start, s.end) for s in spans]
    owners = _attribute(text, pairs, anchors)
    if not any(s.doubt for s in spans):
        return pairs, [""] * len(pairs), owners
    cited = [False] * len(spans)
    for anchor, owner in zip(anchors, owners, strict=True):
        if owner is not None and anchor.keys:
            cited[owner] = True
    settled = settle(spans, cited)
    pairs = [(start, end) for start, end, _ in settled]
    return pairs, [doubt for _, _, doubt in settled], _attribute(text, pairs, anchors)


def _attribute(text: str, spans: list[tuple[int, int]], anchors: list[Anchor]) -> list[int | None]:
    """Which sentence each anchor (citation or footnote) belongs to: the one it stands in.

    A bracketed citation or a footnote standing right at the start of a sentence belongs
    to the sentence before it (``... rule. [@key] Next``); an author-in-text citation
    (``@key says``) belongs to the sentence it starts.
    """
    owners: list[int | None] = []
    starts = [s for s, _ in spans]
    for anchor in anchors:
        if not spans:
            owners.append(None)
            continue
        i = max(0, bisect_right(starts, anchor.offset) - 1)
        i = min(i, len(spans) - 1)
        if (
            i > 0
            and anchor.kind != "author"
            and not text[spans[i][0] : min(anchor.offset, len(text))].strip()
        ):
            i -= 1
        owners.append(i)
    return owners


def _status(kind: str | None, inside: str | None) -> str:
    """A sentence's status: exempt by its unit's kind (a heading), or by the exempt class
    covering it, else a claim."""
    if kind is not None:
        return f"exempt-{kind}"
    return f"exempt-{inside}" if inside else "claim"


def _inside(start: int, end: int, text: str, ranges: list[tuple[int, int, str]]) -> str | None:
    """The exempt class covering every non-space character of text[start:end], if one does."""
    kind = None
    for i in range(start, end):
        if text[i].isspace():
            continue
        covering = next((k for s, e, k in ranges if s <= i < e), None)
        if covering is None:
            return None
        kind = covering
    return kind


def _prose_only(text: str, inert: list[tuple[int, int]]) -> str:
    """The text with code, formulas and author-in-text citations blanked: a sentence with
    no letter left is not a claim."""
    if not inert:
        return text
    chars = list(text)
    for start, end in inert:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# --------------------------------------------------------------------------- metadata

_YAML_START_RE = re.compile(r"(?m)^---[ \t]*\n(?=[ \t]*([^\s:#][^:\n]*):)")


def metadata_blocks(
    item: ScanInput, body: tuple[str, ...], summary: tuple[str, ...]
) -> tuple[MetadataBlock, ...]:
    """Where the YAML metadata blocks pandoc found in a body (its fields ``body``) and in a
    summary (``summary``) are: the first ``---`` line of the body followed by one of its
    fields (else the body's first line); in a summary, the summary's line."""
    loc = Locator(item.source)
    out = []
    if body:
        line = loc.position(item.body_offset)[0]
        for m in _YAML_START_RE.finditer(item.source, item.body_offset):
            if m.group(1).strip() in body:
                line = loc.position(m.start())[0]
                break
        out.append(MetadataBlock(line, body))
    if summary:
        out.append(MetadataBlock(loc.position(item.summary_offset or 0)[0], summary))
    return tuple(out)
