"""Where a claim's figures and pinpoints are in its section file.

The scan gives each sentence's line and column and each citation's; a sentence's stretch
of source runs from its start to the next sentence's. A figure is found in that stretch as
written (any run of white space matching any other, so a figure broken over two lines is
found too); one that cannot be found there (markup inside it) is reported at the
sentence's start. A citation's pinpoint is read from the source after its key:
``[@key, p. 12]``, ``[@key, art. 5]``, ``@key [p. 12]``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from briefgen.evidence.figures import Figure
from briefgen.model import Section
from briefgen.rules.audiences import included
from briefgen.scan import FileScan, Sentence

LOCATOR = re.compile(r"\s*(?:,\s*(?P<a>[^;\]\[]*)|\[(?P<b>[^\]\[]*)\])")


class Lines:
    """Offsets of a text's lines: (line, column) <-> offset, both 1-based."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def offset(self, line: int, column: int) -> int:
        return self.starts[min(line, len(self.starts)) - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


@dataclass(frozen=True)
class Located:
    sentence: Sentence
    source: str
    lines: Lines
    start: int  # the sentence's stretch of source: [start, end)
    end: int
    citations: tuple[tuple[str, int], ...]  # (key, offset of its '@') in the stretch
    pinpoints: tuple[tuple[str, str], ...]  # (key, locator as written)

    def position(self, figure: Figure) -> tuple[int, int]:
        pattern = r"\s+".join(re.escape(part) for part in figure.raw.split())
        found = re.search(rf"(?<![\w.,]){pattern}(?!\w)", self.source[self.start : self.end])
        if found is None:
            return self.sentence.line, self.sentence.column
        return self.lines.position(self.start + found.start())

    def citation(self, key: str) -> tuple[int, int]:
        for cited, offset in self.citations:
            if cited == key:
                return self.lines.position(offset)
        return self.sentence.line, self.sentence.column


def claims_of(section: Section, scan: FileScan, audiences: set[str] | None) -> Iterator[Located]:
    """Each cited claim of a section that the audiences read, with its stretch of source."""
    source = section.source
    lines = Lines(source)
    starts = sorted(lines.offset(s.line, s.column) for s in scan.sentences)
    uses = sorted((lines.offset(c.line, c.column), c.key) for c in scan.citations)
    for sentence in scan.sentences:
        if sentence.status != "claim" or not sentence.keys:
            continue
        if not included(sentence.blocks, scan, audiences):
            continue
        start = lines.offset(sentence.line, sentence.column)
        after = bisect.bisect_right(starts, start)
        end = starts[after] if after < len(starts) else len(source)
        cited = tuple(
            (key, offset) for offset, key in uses if start <= offset < end and key in sentence.keys
        )
        yield Located(sentence, source, lines, start, end, cited, _pinpoints(source, cited))


def _pinpoints(source: str, cited: tuple[tuple[str, int], ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for key, offset in cited:
        after = offset + 1 + len(key)
        match = LOCATOR.match(source, after)
        if match is None:
            continue
        locator = " ".join((match.group("a") or match.group("b") or "").split())
        if locator:
            out.append((key, locator))
    return tuple(out)
