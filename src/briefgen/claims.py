"""Split section prose into sentences, find the citations each one carries, locate both
in the source file.

What counts as a citation is exactly what pandoc will render: section text is read by
pandoc's own ``markdown`` reader (many files batched into one process, so 1,000 sections
cost a few pandoc start-ups, not a thousand), and the JSON AST is walked here.

Pandoc gives no source positions, so every sentence is found again in its file by its
first words, searching forward from the previous one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import subprocess
from bisect import bisect_right
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple

from briefgen.errors import RenderError
from briefgen.gcpause import paused
from briefgen.limits import LimitProblem, section_limits
from briefgen.links import entangled
from briefgen.locate import COMMENT_RE, WORD_RE, Locator
from briefgen.sentences import sentence_spans, settle, split_sentences

__all__ = ["WORD_RE", "Locator", "split_sentences"]  # re-exported for the other stages

READER = "markdown"  # pandoc's reader for section text, the same for check and build
EXEMPT_CLASSES = ("judgment", "recommendation", "note")
AUDIENCE_CLASS = "audience"
_SENTINEL = "<!--briefgen-chunk-{}-{}-->"
_SENTINEL_RE = re.compile(r"<!--briefgen-chunk-([0-9a-f]+)-(\d+)-->")
_SENTINEL_JSON = '{{"t":"RawBlock","c":["html","<!--briefgen-chunk-{}-{}-->"]}}'
FOOTNOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
_FOOTNOTE_DEFINITION_RE = re.compile(r"\[\^([^\]\s]+)\]:")


def batch_label(index: int) -> str:
    """The footnote-label prefix of the ``index``-th text in a batch: its binary digits
    as ``-`` and ``_``, then ``~``. It holds no letter or digit, so a label shown as text
    (a definition pandoc does not take for one) is found in its file by the same words,
    and is read back as written with ``str.replace``."""
    return format(index, "b").replace("0", "-").replace("1", "_") + "~"


def prefix_footnotes(text: str, prefix: str) -> str:
    """Give the footnotes a file defines labels unique to it (``[^1]`` becomes
    ``[^PREFIX1]``), so that files run together into one document keep their own notes.

    A reference to a label the file does not define is left as written: pandoc prints it as
    the text ``[^1]``, which must read the same whichever file it sits beside.
    """
    defined = set(_FOOTNOTE_DEFINITION_RE.findall(text))
    if not defined:
        return text
    return FOOTNOTE_RE.sub(
        lambda m: f"[^{prefix}{m.group(1)}]" if m.group(1) in defined else m.group(0), text
    )


_LETTER_RE = re.compile(r"[^\W\d_]")
_NO_SPACE_BEFORE = frozenset(".,;:!?)]}’”")

Json = Any  # a node of pandoc's JSON AST


# --------------------------------------------------------------------------- results


class CitationUse(NamedTuple):  # named tuples: thousands are made per check, and cheaply
    key: str
    line: int
    column: int


@dataclass(frozen=True)
class AudienceBlock:
    only: tuple[str, ...]  # audiences that see the block (empty: no only=)
    exclude: tuple[str, ...]  # audiences that do not (except=)
    marking: str | None  # the raw marking= attribute, validated by the checker
    line: int

    def admits(self, audience: str) -> bool:
        if self.only and audience not in self.only:
            return False
        return audience not in self.exclude


class Sentence(NamedTuple):
    line: int
    column: int
    text: str  # the sentence as rendered, citations left out
    keys: tuple[str, ...]  # keys cited for it: in it, right after it, or in its footnote
    status: str  # "claim", or "exempt-judgment" / "exempt-recommendation" / "exempt-note"
    where: str  # "body", "summary" or "footnote"
    blocks: tuple[int, ...]  # indices of the enclosing audience blocks (FileScan.blocks)
    doubt: str = ""  # an abbreviation at an ambiguous boundary next to it (sentences.settle)


class Markup(NamedTuple):
    """A div or span that carries classes or attributes: what the checker holds to the
    closed world of audience and exemption markup."""

    line: int
    column: int
    element: str  # "div" or "span"
    classes: tuple[str, ...]
    attributes: tuple[str, ...]  # attribute names


class Target(NamedTuple):
    """Where a link or an image points."""

    line: int
    column: int
    element: str  # "link" or "image"
    url: str


class MetadataBlock(NamedTuple):
    """A YAML metadata block pandoc found inside a section body (or summary): in a build
    it would set the brief's own metadata (title, audience, marking)."""

    line: int
    fields: tuple[str, ...]


class FenceProblem(NamedTuple):
    line: int
    problem: str  # "unclosed" (a fence never closed) or "loose" (a ::: line read as text)
    text: str  # the fence line as written


@dataclass(frozen=True)
class RawUse:
    line: int
    column: int
    format: str


@dataclass(frozen=True)
class FileScan:
    """Everything the checker needs from one section file."""

    sentences: tuple[Sentence, ...]
    citations: tuple[CitationUse, ...]  # every citation, in order, with its position
    blocks: tuple[AudienceBlock, ...]
    words: tuple[tuple[tuple[int, ...], int], ...]  # (audience blocks, words) of body text
    raw: tuple[RawUse, ...]
    error: str | None = None  # the file could not be read: what to tell the writer
    error_line: int = 1
    markup: tuple[Markup, ...] = ()
    fences: tuple[FenceProblem, ...] = ()
    metadata: tuple[MetadataBlock, ...] = ()
    targets: tuple[Target, ...] = ()


# --------------------------------------------------------------------------- pandoc


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pandoc briefgen runs: ``$PYPANDOC_PANDOC`` when set, else the one
    pypandoc-binary bundles (the version briefgen is tested with), else whichever pandoc
    pypandoc finds. The bundled one is found without importing pypandoc, which would run
    ``pandoc --version`` on every candidate: more time than a warm check takes."""
    override = os.environ.get("PYPANDOC_PANDOC")
    if override:
        return override
    bundled = _bundled_pandoc()
    if bundled:
        return bundled
    import pypandoc

    return str(pypandoc.get_pandoc_path())


@lru_cache(maxsize=1)
def _bundled_pandoc() -> str | None:
    spec = importlib.util.find_spec("pypandoc")
    name = "pandoc.exe" if os.name == "nt" else "pandoc"
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = os.path.join(location, "files", name)
        if os.path.isfile(candidate):
            return candidate
    return None


# The bundled pandoc is linked with ``-with-rtsopts=-H64m``: every process starts by taking
# a 64 MB heap. For the check's reading batches a small suggested heap is cheaper: measured
# on 1 MB batches, 25 MB less memory per process, less system time and no more CPU overall.
# Set only for the bundled binary (another pandoc may not accept runtime options, and fail)
# and never over a GHCRTS the user set.
_READER_RTS = "-H8m -M2g"  # -M: a heap limit, so no input can take the machine's memory
PANDOC_TIMEOUT = 120  # seconds for one reading process (a 1 MB batch takes about 2)


@lru_cache(maxsize=1)
def _reader_env() -> dict[str, str] | None:
    if "GHCRTS" in os.environ or pandoc_path() != _bundled_pandoc():
        return None
    return {**os.environ, "GHCRTS": _READER_RTS}


def _run_pandoc_json(chunks: Sequence[str]) -> ParsedGroup:
    """Parse chunks with one pandoc process, separated by sentinel comments."""
    nonce = secrets.token_hex(6)  # a sentinel typed into a section can never be taken for one
    parts = []
    for i, text in enumerate(chunks):
        # footnote labels are per file: make them unique across the batch
        parts.append(prefix_footnotes(text, batch_label(i)))
        parts.append("\n\n" + _SENTINEL.format(nonce, i) + "\n\n")
    return ParsedGroup(chunks, nonce, _pandoc_json("".join(parts)))


_DOCUMENT_START_RE = re.compile(rb'\{"pandoc-api-version":\[[0-9,]*\],"meta":\{\},"blocks":\[')


class ParsedGroup:
    """One pandoc process's JSON for a batch of chunks, handed out chunk by chunk.

    Pandoc gives each sentinel back as a top-level raw block, so the JSON text is cut at
    them and each chunk's blocks are decoded only when asked for: a batch's whole AST (15
    times the size of its JSON) is never in memory at once. Chunks must be asked for in
    order, which is what proves the cuts right: inside a JSON string a quote is escaped, so
    a sentinel's text is always the raw block itself, and the text between two top-level
    sentinels always decodes as a list of blocks. The first piece that does not decode
    follows a sentinel swallowed by an unclosed fence or div, and from there on the whole
    document is decoded and its top-level sentinels matched, every chunk that swallowed
    its sentinel being parsed again on its own.
    """

    def __init__(self, chunks: Sequence[str], nonce: str | None, raw: bytes | None) -> None:
        self.chunks = chunks
        self.nonce = nonce
        self.raw = raw
        self.pieces: list[bytes] | None = None
        self.fallback: list[list[Json] | str] | None = None
        self.metadata: dict[int, tuple[str, ...]] = {}  # chunk -> fields of a YAML block in it
        self.next = 0
        if raw is not None:
            self.pieces = self._cut(raw)

    @classmethod
    def one_by_one(cls, chunks: Sequence[str]) -> ParsedGroup:
        """Each chunk parsed by its own pandoc: pandoc's message for one it cannot read."""
        group = cls(chunks, None, None)
        group.fallback = []
        for i, text in enumerate(chunks):
            try:
                blocks, meta = _pandoc_document(text)
            except RenderError as exc:
                group.fallback.append(str(exc))
            else:
                group.fallback.append(blocks)
                if meta:
                    group.metadata[i] = meta
        return group

    def blocks(self, index: int) -> list[Json] | str:
        """Chunk ``index``'s top-level blocks, or pandoc's error message for it."""
        if index != self.next:
            raise ValueError(f"chunk {index} asked for before chunk {self.next}")
        self.next += 1
        if self.fallback is None and self.pieces is not None:
            piece = self.pieces[index]
            self.pieces[index] = b""
            try:
                blocks = json.loads(piece)
            except RecursionError:
                return _TOO_DEEP
            except ValueError:
                pass
            else:
                if isinstance(blocks, list):
                    return blocks
        if self.fallback is None:
            self.fallback = self._match_sentinels(index)
        return self.fallback[index]

    def _cut(self, raw: bytes) -> list[bytes] | None:
        """The JSON text of each chunk's block list, or None when the document does not
        have the shape the cuts rely on (metadata, a sentinel missing or out of place)."""
        head = _DOCUMENT_START_RE.match(raw)
        closing = len(raw.rstrip()) - 2  # the block list's closing bracket
        if head is None or raw[closing : closing + 2] != b"]}":
            return None
        pieces = []
        pos = head.end()
        for i in range(len(self.chunks)):
            sentinel = _SENTINEL_JSON.format(self.nonce, i).encode("ascii")
            at = raw.find(sentinel, pos)
            if at < 0 or (at > pos and raw[at - 1] != ord(",")):
                return None
            pieces.append(b"[" + raw[pos : max(pos, at - 1)] + b"]")
            pos = at + len(sentinel) + 1  # past the comma after it, or the closing bracket
        return pieces if pos == closing + 1 else None

    def _match_sentinels(self, first: int) -> list[list[Json] | str]:
        """Every chunk from ``first`` on, from the whole document's top-level sentinels."""
        assert self.raw is not None
        try:
            document = json.loads(self.raw)
        except RecursionError:  # some chunk nests too deep: each is read alone
            document = {"blocks": [], "meta": {}}
        blocks: list[Json] = document["blocks"]
        has_metadata = bool(document["meta"])
        self.raw = self.pieces = None
        result: list[list[Json] | str | None] = [None] * len(self.chunks)
        current: list[Json] = []
        expected = 0
        for block in blocks:
            if block.get("t") == "RawBlock":
                match = _SENTINEL_RE.fullmatch(block["c"][1].strip())
                if match and match.group(1) == self.nonce:
                    index = int(match.group(2))
                    if index == expected:
                        result[index] = current
                    expected = index + 1
                    current = []
                    continue
            current.append(block)
        for i in range(first, len(result)):
            # a YAML metadata block in a chunk (rare): which one is found by parsing alone
            if result[i] is None or (has_metadata and "---" in self.chunks[i]):
                try:
                    result[i], meta = _pandoc_document(self.chunks[i])
                except RenderError as exc:
                    result[i] = str(exc)
                else:
                    if meta:
                        self.metadata[i] = meta
        return [r if r is not None else [] for r in result]


def _pandoc_json(text: str) -> bytes:
    try:
        proc = subprocess.run(
            [pandoc_path(), "-f", READER, "-t", "json"],
            input=text.encode("utf-8"),
            capture_output=True,
            check=False,
            env=_reader_env(),
            timeout=PANDOC_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"pandoc did not finish reading it in {PANDOC_TIMEOUT} s") from None
    except OSError as exc:
        raise RenderError(f"cannot run pandoc: {exc}") from None
    if proc.returncode != 0:
        raise RenderError(proc.stderr.decode("utf-8", "replace").strip() or "pandoc failed")
    return proc.stdout


def _pandoc_document(text: str) -> tuple[list[Json], tuple[str, ...]]:
    """The blocks of a text, and the fields of any YAML metadata block pandoc found in it."""
    try:
        document = json.loads(_pandoc_json(text))
    except RecursionError:
        raise RenderError(_TOO_DEEP) from None
    return document["blocks"], tuple(sorted(document["meta"]))


def parse_group(chunks: Sequence[str]) -> ParsedGroup:
    """Parse Markdown texts with one pandoc process: each text's blocks, or pandoc's error
    message for a text it cannot read (found by parsing the texts one by one)."""
    if not chunks:
        return ParsedGroup.one_by_one(chunks)
    try:
        return _run_pandoc_json(chunks)
    except RenderError:
        return ParsedGroup.one_by_one(chunks)


def _balanced_groups(sizes: list[int], n: int) -> list[list[int]]:
    """Contiguous groups of indices with roughly equal total size."""
    total = sum(sizes) or 1
    groups: list[list[int]] = [[]]
    acc = 0
    for i, size in enumerate(sizes):
        if acc >= total * len(groups) / n and len(groups) < n:
            groups.append([])
        groups[-1].append(i)
        acc += size
    return [g for g in groups if g]


# --------------------------------------------------------------------------- walking


@dataclass
class _Anchor:
    offset: int  # in the flattened text
    keys: tuple[str, ...]
    kind: str  # "cite", "author" (author-in-text citation) or "note"


@dataclass
class _Flat:
    text: list[str] = field(default_factory=list)
    length: int = 0
    anchors: list[_Anchor] = field(default_factory=list)
    exempt: list[tuple[int, int, str]] = field(default_factory=list)
    inert: list[tuple[int, int]] = field(default_factory=list)  # code, math, @author: no prose
    breaks: list[int] = field(default_factory=list)  # where the source broke a line
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


class _FileWalker:
    def __init__(self, source: str, body_offset: int) -> None:
        self.loc = Locator(source, body_offset)
        self.body_offset = body_offset
        self.cursor = body_offset
        self.note_cursor = body_offset
        self.note_index = 0  # body footnotes walked so far (Locator.note_starts)
        self.fence_index = 0  # fences matched to divs so far (Locator.fences)
        self.matched: set[int] = set()  # indices of the fences matched to a div
        self.span_cursor = body_offset
        self.markup: list[Markup] = []
        self.targets: list[Target] = []
        self.sentences: list[Sentence] = []
        self.citations: list[CitationUse] = []
        self.blocks: list[AudienceBlock] = []
        self.words: dict[tuple[int, ...], int] = {}
        self.raw: list[RawUse] = []
        self.stack: list[int] = []  # enclosing audience blocks
        self.exempt: list[str] = []  # enclosing exempt classes
        self.where = "body"
        self.in_note = 0

    # ---- blocks

    def walk_blocks(self, blocks: list[Json]) -> list[str]:
        """Walk blocks; return every key cited in them (used for footnotes)."""
        keys: list[str] = []
        for block in blocks:
            keys.extend(self.walk_block(block))
        return keys

    def walk_block(self, block: Json) -> list[str]:
        t = block.get("t")
        c = block.get("c")
        if t in ("Para", "Plain"):
            return self.unit(c)
        if t == "Header":
            self.attributes("heading", c[1])
            return self.unit(c[2], exempt_kind="heading")
        if t == "CodeBlock":
            self.attributes("code block", c[0])
            return []
        if t == "LineBlock":
            joined: list[Json] = []
            for line in c:
                joined.extend(line)
                joined.append({"t": "Space"})
            return self.unit(joined)
        if t == "BlockQuote":
            return self.walk_blocks(c)
        if t == "BulletList":
            return [k for item in c for k in self.walk_blocks(item)]
        if t == "OrderedList":
            return [k for item in c[1] for k in self.walk_blocks(item)]
        if t == "DefinitionList":
            keys: list[str] = []
            for term, definitions in c:
                keys.extend(self.unit(term, exempt_kind="heading"))
                for d in definitions:
                    keys.extend(self.walk_blocks(d))
            return keys
        if t == "Div":
            return self.div(c[0], c[1])
        if t == "Table":
            return self.table(c)
        if t == "Figure":
            return self.walk_blocks(c[1][1]) + self.walk_blocks(c[2])
        if t == "RawBlock":
            self.raw_use(c[0], c[1])
        return []

    def div(self, attr: Json, blocks: list[Json]) -> list[str]:
        _, classes, kvs = attr
        attrs = dict(kvs)
        line, column = self._div_position(classes, attrs)
        if classes or kvs:
            self.markup.append(
                Markup(line, column, "div", tuple(classes), tuple(k for k, _ in kvs))
            )
        pushed_exempt = pushed_aud = False
        exempt = next((k for k in EXEMPT_CLASSES if k in classes), None)
        if exempt:
            self.exempt.append(exempt)
            pushed_exempt = True
        if AUDIENCE_CLASS in classes:
            self.blocks.append(
                AudienceBlock(
                    only=split_names(attrs.get("only", "")),
                    exclude=split_names(attrs.get("except", "")),
                    marking=attrs.get("marking"),
                    line=line,
                )
            )
            self.stack.append(len(self.blocks) - 1)
            pushed_aud = True
        keys = self.walk_blocks(blocks)
        if pushed_exempt:
            self.exempt.pop()
        if pushed_aud:
            self.stack.pop()
        return keys

    def _div_position(self, classes: list[str], attrs: dict[str, str]) -> tuple[int, int]:
        """The line of the fence that opens this div: the next fence in the source with
        the same classes (pandoc's AST holds divs in source order), and the same
        attributes if a later one has them (a fence before it that pandoc read as text is
        passed over, and left unmatched: see ``_scan_one``), else an HTML ``<div`` (pandoc
        reads those as divs too)."""
        fences = self.loc.fences()
        wanted = sorted(classes)
        first = None
        for index in range(self.fence_index, len(fences)):
            fence = fences[index]
            if sorted(fence.classes) != wanted:
                continue
            if first is None:
                first = index
            if dict(fence.attributes) == attrs:
                first = index
                break
            if index - first > 32:  # no fence far ahead: the first one, as pandoc wrote it
                break
        if first is not None:
            fence = fences[first]
            self.fence_index = first + 1
            self.matched.add(first)
            self.cursor = max(self.cursor, fence.offset)
            return fence.line, 1
        found = self.loc.find_literal("<div", self.cursor, self.body_offset)
        return self.loc.position(found if found is not None else self.cursor)

    def target(self, element: str, url: str, attr: Json) -> None:
        """Record a link's or image's target (and its attributes) at its place."""
        source = self.loc.source
        pos = source.find(url, self.span_cursor) if url else -1
        if pos < 0:
            pos = source.find("](", self.span_cursor)
            pos = self.cursor if pos < 0 else pos + 2
        self.span_cursor = pos + 1
        line, column = self.loc.position(pos)
        self.targets.append(Target(line, column, element, url))
        if attr[1] or attr[2]:
            keys = tuple(k for k, _ in attr[2])
            self.markup.append(Markup(line, column, element, tuple(attr[1]), keys))

    def attributes(self, element: str, attr: Json) -> None:
        """Record the attributes of a heading, code or code block, if it has any."""
        if attr[2]:
            keys = tuple(k for k, _ in attr[2])
            start = max(self.cursor, self.span_cursor)
            pos = self.loc.source.find(keys[0] + "=", start)
            if pos < 0:
                pos = start
            else:
                self.span_cursor = pos + 1
            line, column = self.loc.position(pos)
            self.markup.append(Markup(line, column, element, tuple(attr[1]), keys))

    def span_markup(self, classes: list[str], kvs: list[list[str]]) -> None:
        """Record a span's classes and attributes at its ``]{`` (or HTML ``<span``)."""
        source = self.loc.source
        brace, html = source.find("]{", self.span_cursor), source.find("<span", self.span_cursor)
        if brace >= 0 and (html < 0 or brace < html):
            pos = brace + 1
        else:
            pos = html if html >= 0 else self.cursor
        self.span_cursor = pos + 1
        line, column = self.loc.position(pos)
        self.markup.append(Markup(line, column, "span", tuple(classes), tuple(k for k, _ in kvs)))

    def table(self, c: Json) -> list[str]:
        _, caption, _, head, bodies, foot = c
        keys = self.walk_blocks(caption[1])
        for row in head[1]:  # header cells label columns, as headings do
            for cell in row[1]:
                self.exempt.append("heading")
                keys.extend(self.walk_blocks(cell[4]))
                self.exempt.pop()
        for row in [r for body in bodies for r in body[2] + body[3]] + foot[1]:
            keys.extend(self.row(row))
        return keys

    def row(self, row: Json) -> list[str]:
        """A table row is one record: a citation in any of its cells covers the others."""
        first = len(self.sentences)
        keys = [k for cell in row[1] for k in self.walk_blocks(cell[4])]
        if keys:
            row_keys = tuple(dict.fromkeys(keys))
            self.sentences[first:] = [
                s if s.keys else s._replace(keys=row_keys) for s in self.sentences[first:]
            ]
        return keys

    def raw_use(self, fmt: str, text: str) -> None:
        if _SENTINEL_RE.fullmatch(text.strip()):
            return
        offset = self.loc.find_literal(text[:40], self.cursor, self.body_offset)
        line, col = self.loc.position(offset if offset is not None else self.cursor)
        self.raw.append(RawUse(line, col, fmt))

    # ---- inline units

    def unit(self, inlines: list[Json], exempt_kind: str | None = None) -> list[str]:
        flat = _Flat()
        notes: list[tuple[int, list[Json]]] = []
        self.span_cursor = max(self.span_cursor, self.cursor)
        self.flatten(inlines, flat, notes)
        text = flat.value()
        key = tuple(self.stack)
        self.words[key] = self.words.get(key, 0) + len(text.split())

        # footnotes are walked first: their keys cite the sentence they hang on
        note_keys: dict[int, list[str]] = {}
        starts = self.loc.note_starts() if notes else []
        for offset, blocks in notes:
            saved = self.cursor, self.where
            start = self.note_cursor
            if self.where == "body" and self.note_index < len(starts):
                start = starts[self.note_index]
                self.note_index += 1
            self.cursor, self.where = start, "footnote"
            self.in_note += 1
            note_keys[offset] = self.walk_blocks(blocks)
            self.in_note -= 1
            self.note_cursor = self.cursor
            self.cursor, self.where = saved
        for anchor in flat.anchors:
            if anchor.kind == "note":
                anchor.keys = tuple(note_keys.get(anchor.offset, ()))

        kind = exempt_kind or (self.exempt[-1] if self.exempt else None)
        spans, doubts, owners = _sentences(text, flat.anchors, flat.breaks)
        prose = _prose_only(text, flat.inert)
        all_keys: list[str] = []
        by_owner: dict[int | None, list[_Anchor]] = {}
        for anchor, owner in zip(flat.anchors, owners, strict=True):
            by_owner.setdefault(owner, []).append(anchor)
        for i, (start, end) in enumerate(spans):
            sentence = text[start:end].strip().replace("\xa0", " ")
            own = by_owner.get(i, [])
            keys = [k for a in own for k in a.keys]
            all_keys.extend(keys)
            if not _LETTER_RE.search(sentence) and not keys:
                continue
            found = self.loc.find_sentence(
                sentence, self.cursor, self.body_offset, in_note=self.in_note > 0
            )
            offset = self.cursor if found is None else found[0]
            if found is not None:
                self.cursor = found[1]
            line, column = self.loc.position(offset)
            for anchor in own:
                if anchor.kind != "note":
                    self._record_citations(anchor.keys, offset)
            if not _LETTER_RE.search(prose, start, end):
                continue  # no prose: code, a formula, a citation standing alone
            status = "claim"
            if kind is not None:
                status = f"exempt-{kind}"
            elif flat.exempt and _inside(start, end, text, flat.exempt):
                status = f"exempt-{_inside(start, end, text, flat.exempt)}"
            if status == "exempt-heading":
                continue
            self.sentences.append(
                Sentence(
                    line,
                    column,
                    sentence,
                    tuple(dict.fromkeys(keys)),
                    status,
                    self.where,
                    key,
                    doubts[i],
                )
            )
        # citations in text that made no sentence (a paragraph holding only a citation)
        for anchor, owner in zip(flat.anchors, owners, strict=True):
            if owner is None and anchor.kind != "note":
                self._record_citations(anchor.keys, self.cursor)
                all_keys.extend(anchor.keys)
        return all_keys

    def _record_citations(self, keys: tuple[str, ...], offset: int) -> None:
        for key in keys:
            pos = self.loc.find_literal("@" + key, offset, self.body_offset)
            if pos is None:
                pos = offset
            line, column = self.loc.position(pos)
            self.citations.append(CitationUse(key, line, column))

    def flatten(
        self, inlines: list[Json], flat: _Flat, notes: list[tuple[int, list[Json]]]
    ) -> None:
        # The hot path: Str and Space are most of any text. ``_Flat.add`` is inlined here,
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

    def flatten_other(
        self, t: str, node: Json, flat: _Flat, notes: list[tuple[int, list[Json]]]
    ) -> None:
        """Every inline but Str and Space, which ``flatten`` handles itself."""
        if t in (
            "Emph",
            "Strong",
            "Underline",
            "Strikeout",
            "Superscript",
            "Subscript",
            "SmallCaps",
        ):
            self.flatten(node["c"], flat, notes)
        elif t == "Quoted":
            double = node["c"][0]["t"] == "DoubleQuote"
            flat.add("“" if double else "‘")
            self.flatten(node["c"][1], flat, notes)
            flat.add("”" if double else "’")
        elif t == "Cite":
            citations = node["c"][0]
            author = any(c["citationMode"]["t"] == "AuthorInText" for c in citations)
            keys = tuple(c["citationId"] for c in citations)
            if author:
                flat.add("")
                start = flat.length
                flat.add(f"@{keys[0]}")  # the author's name stands in the sentence
                flat.inert.append((start, flat.length))
                flat.anchors.append(_Anchor(flat.length, keys, "author"))
            else:
                flat.space()
                flat.anchors.append(_Anchor(flat.length + (1 if flat.length else 0), keys, "cite"))
        elif t == "Note":
            flat.anchors.append(_Anchor(flat.length, (), "note"))
            notes.append((flat.length, node["c"]))
        elif t in ("Code", "Math"):
            if t == "Code":
                self.attributes("code", node["c"][0])
            flat.add("")
            start = flat.length
            flat.add(node["c"][1])
            flat.inert.append((start, flat.length))
        elif t == "Link":
            self.target("link", node["c"][2][0], node["c"][0])
            self.flatten(node["c"][1], flat, notes)
        elif t == "Image":  # its alt text is not prose of the sentence
            self.target("image", node["c"][2][0], node["c"][0])
        elif t == "Span":
            _, classes, kvs = node["c"][0]
            if classes or kvs:
                self.span_markup(classes, kvs)
            exempt = next((k for k in EXEMPT_CLASSES if k in classes), None)
            start = flat.length
            self.flatten(node["c"][1], flat, notes)
            if exempt:
                flat.exempt.append((start, flat.length, exempt))
        elif t == "RawInline":
            self.raw_use(node["c"][0], node["c"][1])


def split_names(value: str) -> tuple[str, ...]:
    return tuple(n for n in re.split(r"[\s,]+", value) if n)


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


def _attribute(text: str, spans: list[tuple[int, int]], anchors: list[_Anchor]) -> list[int | None]:
    """Which sentence each anchor (citation or footnote) belongs to.

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


def _sentences(
    text: str, anchors: list[_Anchor], breaks: list[int]
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


def _prose_only(text: str, inert: list[tuple[int, int]]) -> str:
    """The text with code, formulas and author-in-text citations blanked: a sentence with
    no letter left is not a claim."""
    if not inert:
        return text
    chars = list(text)
    for start, end in inert:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# --------------------------------------------------------------------------- entry point


@dataclass(frozen=True)
class ScanInput:
    source: str  # the whole file
    body_offset: int
    summary: str | None = None
    summary_offset: int | None = None


# Text per pandoc process. Each process costs its start-up and the faults of a fresh heap,
# so fewer, larger batches cost less CPU: over 1,000 sections (7.9 MB), measured side by
# side, 1 MB batches took ~2-4 CPU-s less than 128 KB ones. Memory stays bounded because
# pandoc's heap grows ~60 MB per MB read and each batch's AST is decoded file by file.
GROUP_BYTES = 1024 * 1024

Progress = Callable[[int, int], None]  # (files scanned so far, files to scan)


def scan_files(
    inputs: Sequence[ScanInput], jobs: int | None = None, progress: Progress | None = None
) -> list[FileScan]:
    """Scan many section files: batched pandoc parses on every core, pipelined so that
    Python walks one batch's AST while pandoc reads the next.

    (Walking in worker processes instead of this one was measured and gained nothing on two
    cores: pandoc's share of the work already keeps the other core busy.)
    """
    if not inputs:
        return []
    workers = max(1, jobs or os.cpu_count() or 1)
    # pandoc resolves link references across a whole batch: files that share a link label
    # are parsed one by one, so that each reads as it does alone, whichever files it is
    # scanned beside (its cached scan must depend on no other file): see briefgen.links
    alone = sorted(
        entangled([(item.source[item.body_offset :], item.summary or "") for item in inputs])
    )
    shared = sorted(set(range(len(inputs))).difference(alone))
    sizes = [len(inputs[i].source) for i in shared]
    count = min(len(shared), max(workers, 1 + sum(sizes) // GROUP_BYTES))
    groups = [[shared[n] for n in g] for g in _balanced_groups(sizes, count)] if shared else []
    groups += [[i] for i in alone]

    results: list[FileScan | None] = [None] * len(inputs)
    refused = {i: problem for i, item in enumerate(inputs) if (problem := _limit(item))}
    done = 0
    with paused(), ThreadPoolExecutor(workers) as pool:
        pending = [
            pool.submit(
                parse_group,
                _chunks([inputs[i] for i in g], {n for n, i in enumerate(g) if i in refused}),
            )
            for g in groups
        ]
        for group in groups:
            parsed = pending.pop(0).result()
            for n, i in enumerate(group):
                body = parsed.blocks(2 * n)
                summary = parsed.blocks(2 * n + 1)
                if i in refused:
                    line, message = refused[i]
                    results[i] = FileScan((), (), (), (), (), error=message, error_line=line)
                    continue
                try:
                    scan = _scan_one(inputs[i], body, summary)
                except RecursionError:
                    scan = FileScan((), (), (), (), (), error=_TOO_DEEP)
                meta = [parsed.metadata.get(2 * n, ()), parsed.metadata.get(2 * n + 1, ())]
                if any(meta):
                    scan = replace(scan, metadata=_metadata_blocks(inputs[i], *meta))
                results[i] = _unlabel(scan, batch_label(2 * n))
            del parsed
            done += len(group)
            if progress is not None:
                progress(done, len(inputs))
    return [r for r in results if r is not None]


def _chunks(items: Sequence[ScanInput], refused: Collection[int] = ()) -> list[str]:
    """Body, then summary, of each file: what one pandoc process parses (nothing of a file
    refused before pandoc, see briefgen.limits)."""
    chunks = []
    for n, item in enumerate(items):
        if n in refused:
            chunks += ["", ""]
            continue
        chunks.append(item.source[item.body_offset :])
        # a footnote marker in a summary points into the body: not part of the claim
        chunks.append(FOOTNOTE_RE.sub("", item.summary or ""))
    return chunks


def _limit(item: ScanInput) -> LimitProblem | None:
    """A limit the file passes (briefgen.limits), if any."""
    return section_limits(item.source, item.body_offset, item.summary, item.summary_offset)


_TOO_DEEP = (
    "lists, quotes or spans are nested inside each other hundreds of levels deep: pandoc's "
    "reader gives briefgen more than it can walk; flatten them"
)


def _unlabel(scan: FileScan, prefix: str) -> FileScan:
    """The scan with its batch footnote labels (see ``batch_label``) read as written."""
    marker = "[^" + prefix
    if not any(marker in s.text for s in scan.sentences):
        return scan
    sentences = tuple(s._replace(text=s.text.replace(marker, "[^")) for s in scan.sentences)
    return replace(scan, sentences=sentences)


_YAML_START_RE = re.compile(r"(?m)^---[ \t]*\n(?=[ \t]*([^\s:#][^:\n]*):)")


def _metadata_blocks(
    item: ScanInput, body: tuple[str, ...], summary: tuple[str, ...]
) -> tuple[MetadataBlock, ...]:
    """Where each YAML block starts: the first ``---`` line of the body followed by one of
    its fields (else the body's first line); in a summary, the summary's line."""
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


def _unreadable(reason: str) -> str:
    return f"pandoc cannot read this file: {reason}: correct the Markdown it names"


def _scan_one(item: ScanInput, body: list[Json] | str, summary: list[Json] | str) -> FileScan:
    walker = _FileWalker(item.source, item.body_offset)
    if isinstance(body, str):
        return FileScan((), (), (), (), (), error=body if body == _TOO_DEEP else _unreadable(body))
    start = item.summary_offset
    if item.summary is not None and start is not None and not isinstance(summary, str):
        walker.where = "summary"
        walker.cursor = walker.body_offset = start
        walker.walk_blocks(summary)
        walker.words.clear()  # the summary is not part of the body's word count
        walker.cursor = walker.body_offset = walker.note_cursor = item.body_offset
        walker.where = "body"
    walker.walk_blocks(body)
    loc = walker.loc
    fences = [FenceProblem(f.line, "unclosed", f.text) for f in loc.fences() if not f.closed]
    fences += [FenceProblem(f.line, "loose", f.text) for f in loc.loose_fences()]
    # a closed fence that opens no div: pandoc read it as text (its attributes, often)
    comments = [m.span() for m in COMMENT_RE.finditer(item.source, item.body_offset)]
    fences += [
        FenceProblem(f.line, "text", f.text)
        for i, f in enumerate(loc.fences())
        if f.closed
        and i not in walker.matched
        and not any(start <= f.offset < end for start, end in comments)
    ]
    return FileScan(
        tuple(walker.sentences),
        tuple(walker.citations),
        tuple(walker.blocks),
        tuple(walker.words.items()),
        tuple(walker.raw),
        markup=tuple(walker.markup),
        targets=tuple(walker.targets),
        fences=tuple(sorted(fences)),
    )
