"""What the stages may remember between runs: the one seam between them and the cache.

The loader, the check and the writer of outputs take a :class:`Memory` (or None, for
none) and know nothing of how it keeps what it keeps. ``briefgen.cache.CacheMemory`` is
the one implementation, opened by ``app.py`` from Settings; tests may pass their own.
Without a memory every stage does all its work: front matters are parsed, every file goes
through pandoc, syllables are counted afresh, and no output is up to date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from briefgen.evidence.passages import Passage
    from briefgen.findings import Finding
    from briefgen.load.sections import SectionFile
    from briefgen.model import Section
    from briefgen.scan import FileScan, Progress, ScanInput


class FrontMatters(Protocol):
    """Sections' front matter as parsed before (around ``load.sections.parse_section``)."""

    def parse(
        self, file: SectionFile, audiences: Iterable[str]
    ) -> tuple[Section | None, list[Finding]]: ...

    def save(self) -> None: ...


class Syllables(Protocol):
    """Syllable counts of the words seen before (around ``readability.syllables``)."""

    counts: dict[str, int]

    def count(self, word: str) -> int: ...

    def save(self) -> None: ...


class Memory(Protocol):
    """Everything a run may reuse from the runs before it."""

    def front_matters(self, audiences: Iterable[str]) -> FrontMatters:
        """The front-matter memo for a project defining ``audiences``."""
        ...

    def scan(
        self, inputs: Sequence[ScanInput], progress: Progress | None, jobs: int | None
    ) -> list[FileScan]:
        """``scan.scan_files``, with the files scanned before taken from memory."""
        ...

    def syllables(self) -> Syllables:
        """The syllable memo."""
        ...

    def source_passages(self, name: str, read: Callable[[], list[Passage]]) -> list[Passage]:
        """The passages of a source text (briefgen.evidence): those ``read`` gave for the
        same ``name`` (its key, file and SHA-256) before, else ``read()``'s, kept."""
        ...

    def recorded_outputs(self, outdir: Path, stem: str, key: str) -> dict[str, str]:
        """The outputs (name -> SHA-256) the last build of ``stem`` into ``outdir`` wrote,
        if it had build key ``key``; else nothing."""
        ...

    def record_outputs(self, outdir: Path, stem: str, key: str, outputs: dict[str, str]) -> None:
        """Remember that a build with ``key`` wrote ``outputs`` to ``outdir``."""
        ...
