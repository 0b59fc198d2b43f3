"""What a scan of one section file gives the checker: plain, immutable records.

Sentences, citations and markup uses are named tuples: thousands are made per check, and
cheaply; the rest are frozen dataclasses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

Json = Any  # a node of pandoc's JSON AST

EXEMPT_CLASSES = ("judgment", "recommendation", "note")  # divs and spans that hold no claims
AUDIENCE_CLASS = "audience"  # the div that decides who reads what
DATED_CLASS = "dated"  # a statement that expires (until=) or was true as of a date (as-of=)
DATED_ATTRIBUTES = ("until", "as-of")  # the dates a dated div or span takes

Progress = Callable[[int, int], None]  # (files scanned so far, files to scan)


@dataclass(frozen=True)
class ScanInput:
    """One section file, as the scan reads it."""

    source: str  # the whole file
    body_offset: int  # where the body starts (after the front matter)
    summary: str | None = None  # the front matter's summary, if any
    summary_offset: int | None = None  # where the summary's text starts in the source


class CitationUse(NamedTuple):
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


def split_names(value: str) -> tuple[str, ...]:
    """The audience names of an ``only=`` or ``except=`` value (comma or space separated)."""
    return tuple(n for n in re.split(r"[\s,]+", value) if n)


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


class Dated(NamedTuple):
    """A div or span with the dated class or a date attribute (until=, as-of=): recorded
    as written, for the checker's dated rules (briefgen.dated) and ``briefgen list``."""

    line: int
    column: int
    element: str  # "div" or "span"
    classes: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]  # (name, value) of every attribute, in order
    text: str  # the text it holds, as rendered (citations left out)
    blocks: tuple[int, ...]  # indices of the enclosing audience blocks (FileScan.blocks)


def is_dated(classes: list[str] | tuple[str, ...], kvs: list[list[str]]) -> bool:
    """Whether a div's or span's attributes make it a dated statement (or a mistaken one)."""
    return DATED_CLASS in classes or any(k in DATED_ATTRIBUTES for k, _ in kvs)


#: A Target's element for an image with no alt text (``![](x.png)``): the check refuses it
NO_ALT = "image-without-alt"


class Target(NamedTuple):
    """Where a link or an image points."""

    line: int
    column: int
    element: str  # "link", "image", "image-without-alt" or "crossref"
    url: str


class MetadataBlock(NamedTuple):
    """A YAML metadata block pandoc found inside a section body (or summary): in a build
    it would set the brief's own metadata (title, audience, marking)."""

    line: int
    fields: tuple[str, ...]


class FenceProblem(NamedTuple):
    line: int
    problem: str  # "unclosed" (never closed), "loose" (a ::: line read as text), "text"
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
    dated: tuple[Dated, ...] = ()  # dated statements, in source order


def unreadable(message: str, line: int = 1) -> FileScan:
    """The scan of a file that could not be read: nothing in it but what to tell the writer."""
    return FileScan((), (), (), (), (), error=message, error_line=line)
