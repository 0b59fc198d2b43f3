"""Scanning many section files fast: many files read by one pandoc process, one process per
core, each batch's AST walked while pandoc reads the next.

The claim rule itself (``walker.walk``) knows nothing of this. Here: which files may share
a process, the sentinels that cut a process's output back into files, the footnote labels
made unique across a batch, the thread pool, and the fallback to one process per file when
a file does not keep to itself. (Whether the cycle collector runs is the application
layer's decision: briefgen.gcpause.)
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

# limits and links are imported as modules: they use briefgen.scan.locate, so either may
# be the first to be imported, and be part-way through its own import when this one runs
from briefgen import limits, links
from briefgen.errors import RenderError
from briefgen.scan import pandoc
from briefgen.scan.model import FileScan, Json, Progress, ScanInput, unreadable
from briefgen.scan.walker import metadata_blocks, walk

_SENTINEL = "<!--briefgen-chunk-{}-{}-->"
_SENTINEL_RE = re.compile(r"<!--briefgen-chunk-([0-9a-f]+)-(\d+)-->")
_SENTINEL_JSON = '{{"t":"RawBlock","c":["html","<!--briefgen-chunk-{}-{}-->"]}}'
FOOTNOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
_FOOTNOTE_DEFINITION_RE = re.compile(r"\[\^([^\]\s]+)\]:")

TOO_DEEP = (
    "lists, quotes or spans are nested inside each other hundreds of levels deep: pandoc's "
    "reader gives briefgen more than it can walk; flatten them"
)

# Text per pandoc process. Each process costs its start-up and the faults of a fresh heap,
# so fewer, larger batches cost less CPU: over 1,000 sections (7.9 MB), measured side by
# side, 1 MB batches took ~2-4 CPU-s less than 128 KB ones. Memory stays bounded because
# pandoc's heap grows ~60 MB per MB read and each batch's AST is decoded file by file.
GROUP_BYTES = 1024 * 1024

Parsed = list[Json] | str  # a text's blocks, or why pandoc could not read it


# --------------------------------------------------------------------------- footnote labels


def batch_label(index: int) -> str:
    """The footnote-label prefix of the ``index``-th text in a batch: its binary digits
    as ``-`` and ``_``, then ``~``. It holds no letter or digit, and is taken out of
    pandoc's JSON again before the walk (``_unlabelled``)."""
    return format(index, "b").replace("0", "-").replace("1", "_") + "~"


# a footnote label's batch prefix, as pandoc gives it back where it shows the label as text
# (a definition it does not take for one) or in code: every ``batch_label``, and no more
_LABEL_RE = re.compile(rb"\[\^(?:-~|_[-_]*~)")


def _unlabelled(json_text: bytes) -> bytes:
    """pandoc's JSON for texts of a batch, with the footnote labels read as written: the
    walk sees what pandoc gives for the file alone, the text and the length of the text."""
    return _LABEL_RE.sub(b"[^", json_text) if b"[^" in json_text else json_text


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


# --------------------------------------------------------------------------- one batch


def parse_group(chunks: Sequence[str]) -> ParsedGroup:
    """Parse Markdown texts with one pandoc process: each text's blocks, or pandoc's error
    message for a text it cannot read (found by parsing the texts one by one)."""
    if not chunks:
        return ParsedGroup.one_by_one(chunks)
    nonce = secrets.token_hex(6)  # a sentinel typed into a section can never be taken for one
    parts = []
    for i, text in enumerate(chunks):
        # footnote labels are per file: make them unique across the batch
        parts.append(prefix_footnotes(text, batch_label(i)))
        parts.append("\n\n" + _SENTINEL.format(nonce, i) + "\n\n")
    try:
        return ParsedGroup(chunks, nonce, pandoc.read("".join(parts)))
    except RenderError:
        return ParsedGroup.one_by_one(chunks)


def _parse_alone(text: str) -> tuple[Parsed, tuple[str, ...]]:
    """One text read by its own pandoc: its blocks and metadata fields, or why not."""
    try:
        return pandoc.read_document(text)
    except pandoc.PandocError as exc:
        return exc.reason, ()
    except RecursionError:
        return TOO_DEEP, ()


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
        self.fallback: list[Parsed] | None = None
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
            blocks, meta = _parse_alone(text)
            group.fallback.append(blocks)
            if meta:
                group.metadata[i] = meta
        return group

    def blocks(self, index: int) -> Parsed:
        """Chunk ``index``'s top-level blocks, or pandoc's error message for it."""
        if index != self.next:
            raise ValueError(f"chunk {index} asked for before chunk {self.next}")
        self.next += 1
        if self.fallback is None and self.pieces is not None:
            piece = self.pieces[index]
            self.pieces[index] = b""
            try:
                blocks = json.loads(_unlabelled(piece))
            except RecursionError:
                return TOO_DEEP
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

    def _match_sentinels(self, first: int) -> list[Parsed]:
        """Every chunk from ``first`` on, from the whole document's top-level sentinels."""
        assert self.raw is not None
        try:
            document = json.loads(_unlabelled(self.raw))
        except RecursionError:  # some chunk nests too deep: each is read alone
            document = {"blocks": [], "meta": {}}
        blocks: list[Json] = document["blocks"]
        has_metadata = bool(document["meta"])
        self.raw = self.pieces = None
        result: list[Parsed | None] = [None] * len(self.chunks)
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
                result[i], meta = _parse_alone(self.chunks[i])
                if meta:
                    self.metadata[i] = meta
        return [r if r is not None else [] for r in result]


# --------------------------------------------------------------------------- many files


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
    groups = _groups(inputs, workers)
    results: list[FileScan | None] = [None] * len(inputs)
    refused = {i: problem for i, item in enumerate(inputs) if (problem := _limit(item))}
    done = 0
    with ThreadPoolExecutor(workers) as pool:
        pending = [
            pool.submit(
                parse_group,
                _chunks([inputs[i] for i in g], {n for n, i in enumerate(g) if i in refused}),
            )
            for g in groups
        ]
        for group in groups:
            parsed = pending.pop(0).result()
            for i, scan in _group_scans(inputs, group, parsed, refused):
                results[i] = scan
            del parsed
            done += len(group)
            if progress is not None:
                progress(done, len(inputs))
    return [r for r in results if r is not None]


def _group_scans(
    inputs: Sequence[ScanInput],
    group: list[int],
    parsed: ParsedGroup,
    refused: dict[int, limits.LimitProblem],
) -> list[tuple[int, FileScan]]:
    """Each file of a parsed group (by its index in ``inputs``) with its scan; a file over
    a limit (``refused``: its line and message) is unreadable. The group's chunks are
    taken in order, as ParsedGroup requires."""
    scans: list[tuple[int, FileScan]] = []
    for n, i in enumerate(group):
        body = parsed.blocks(2 * n)
        summary = parsed.blocks(2 * n + 1)
        if i in refused:
            line, message = refused[i]
            scans.append((i, unreadable(message, line)))
            continue
        scan = _scan_one(inputs[i], body, summary)
        meta = [parsed.metadata.get(2 * n, ()), parsed.metadata.get(2 * n + 1, ())]
        if any(meta):
            scan = replace(scan, metadata=metadata_blocks(inputs[i], *meta))
        scans.append((i, scan))
    return scans


def _groups(inputs: Sequence[ScanInput], workers: int) -> list[list[int]]:
    """The files each pandoc process reads: contiguous groups of about equal size, at
    least one per worker, and alone each file that shares a link label with another.

    pandoc resolves link references across a whole batch: files that share a link label
    are parsed one by one, so that each reads as it does alone, whichever files it is
    scanned beside (its cached scan must depend on no other file): see briefgen.links."""
    alone = sorted(
        links.entangled([(item.source[item.body_offset :], item.summary or "") for item in inputs])
    )
    shared = sorted(set(range(len(inputs))).difference(alone))
    sizes = [len(inputs[i].source) for i in shared]
    count = min(len(shared), max(workers, 1 + sum(sizes) // GROUP_BYTES))
    groups = [[shared[n] for n in g] for g in _balanced_groups(sizes, count)] if shared else []
    return groups + [[i] for i in alone]


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


def _limit(item: ScanInput) -> limits.LimitProblem | None:
    """A limit the file passes (briefgen.limits), if any."""
    return limits.section_limits(item.source, item.body_offset, item.summary, item.summary_offset)


def _scan_one(item: ScanInput, body: Parsed, summary: Parsed) -> FileScan:
    """The claim rule's scan of one file, or why pandoc could not read it."""
    if isinstance(body, str):
        if body == TOO_DEEP:
            return unreadable(body)
        return unreadable(f"pandoc cannot read this file: {body}: correct the Markdown it names")
    try:
        return walk(item, body, None if isinstance(summary, str) else summary)
    except RecursionError:
        return unreadable(TOO_DEEP)
