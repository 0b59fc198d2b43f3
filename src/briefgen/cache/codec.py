"""What the cache stores, as JSON: the one codec for every namespace.

Each cached value is encoded to plain lists and dicts here and decoded back here, nowhere
else; :data:`FORMAT` is part of every key (:func:`briefgen.cache.store.key`), so a change
to any shape below is one bump, and entries of the old shape are never read again.
Decoding trusts nothing: a value that does not fit raises ValueError, KeyError or
TypeError (:data:`BAD`), which every caller treats as a miss.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from briefgen.findings import Finding
from briefgen.model import Section
from briefgen.scan import (
    AudienceBlock,
    CitationUse,
    Dated,
    FenceProblem,
    FileScan,
    Markup,
    MetadataBlock,
    RawUse,
    Sentence,
    Target,
)

if TYPE_CHECKING:
    from briefgen.load.sections import SectionFile

#: bump when any encoded shape changes (6: one store, one key for every namespace; 7: the
#: scan's dated statements)
FORMAT = 8

#: what a decoder raises for a value of the wrong shape: a miss, never a crash
BAD = (ValueError, KeyError, TypeError, AttributeError)


def dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | None) -> Any:
    """The decoded JSON, or None for a miss or bytes that are not JSON."""
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


# --------------------------------------------------------------------------- scans


def encode_scan(scan: FileScan) -> dict[str, Any]:
    return {
        "s": [
            [s.line, s.column, s.text, list(s.keys), s.status, s.where, list(s.blocks), s.doubt]
            for s in scan.sentences
        ],
        "m": [
            [m.line, m.column, m.element, list(m.classes), list(m.attributes)] for m in scan.markup
        ],
        "f": [list(f) for f in scan.fences],
        "y": [[m.line, list(m.fields)] for m in scan.metadata],
        "t": [list(t) for t in scan.targets],
        "c": [[c.key, c.line, c.column] for c in scan.citations],
        "b": [[list(b.only), list(b.exclude), b.marking, b.line] for b in scan.blocks],
        "w": [[list(blocks), n] for blocks, n in scan.words],
        "r": [[r.line, r.column, r.format] for r in scan.raw],
        "d": [
            [
                d.line,
                d.column,
                d.element,
                list(d.classes),
                [list(a) for a in d.attributes],
                d.text,
                list(d.blocks),
            ]
            for d in scan.dated
        ],
    }


_sentence = Sentence._make
_citation = CitationUse._make


def decode_scan(data: dict[str, Any]) -> FileScan:
    return FileScan(
        tuple(
            _sentence((line, col, text, tuple(keys), status, where, tuple(blocks), doubt))
            for line, col, text, keys, status, where, blocks, doubt in data["s"]
        ),
        tuple(map(_citation, data["c"])),
        tuple(AudienceBlock(tuple(o), tuple(e), m, line) for o, e, m, line in data["b"]),
        tuple((tuple(blocks), n) for blocks, n in data["w"]),
        tuple(RawUse(line, col, fmt) for line, col, fmt in data["r"]),
        markup=tuple(
            Markup(line, col, element, tuple(classes), tuple(attributes))
            for line, col, element, classes, attributes in data["m"]
        ),
        fences=tuple(FenceProblem(line, problem, text) for line, problem, text in data["f"]),
        metadata=tuple(MetadataBlock(line, tuple(fields)) for line, fields in data["y"]),
        targets=tuple(Target(*t) for t in data["t"]),
        dated=tuple(
            Dated(
                line,
                col,
                element,
                tuple(classes),
                tuple((k, v) for k, v in attrs),
                text,
                tuple(blocks),
            )
            for line, col, element, classes, attrs, text, blocks in data["d"]
        ),
    )


# --------------------------------------------------------------------------- findings


def encode_findings(findings: list[Finding]) -> list[list[Any]]:
    return [[f.file, f.line, f.column, f.rule, f.message, f.text] for f in findings]


def decode_findings(rows: list[list[Any]]) -> list[Finding]:
    return [Finding(*row) for row in rows]


# --------------------------------------------------------------------------- front matter


def encode_front_matter(section: Section, fm_offset: int) -> list[Any]:
    """What a section's front matter gave, its summary's offset relative to the front
    matter (so the row fits the same front matter in any file)."""
    offset = None if section.summary_offset is None else section.summary_offset - fm_offset
    return [
        section.title,
        section.summary,
        offset,
        section.marking,
        list(section.audiences),
        section.owner,
        section.reviewed.isoformat() if section.reviewed else None,
    ]


def decode_front_matter(row: list[Any], file: SectionFile) -> Section:
    title, summary, offset, marking, audiences, owner, reviewed = row
    return Section(
        id=file.id,
        path=file.path,
        rel=file.rel,
        source=file.source,
        body_offset=file.body_offset,
        title=title,
        summary=summary,
        summary_offset=None if offset is None else file.fm_offset + offset,
        marking=marking,
        audiences=tuple(audiences),
        owner=owner,
        reviewed=dt.date.fromisoformat(reviewed) if reviewed else None,
    )
