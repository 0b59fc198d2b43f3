"""The cache as the stages' :class:`~briefgen.memory.Memory`: one store behind every memo.

``app.py`` opens it (:meth:`CacheMemory.open`) once per command from Settings and passes it
down; the loader, the check and the writer of outputs see only the protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.cache.store import Store

if TYPE_CHECKING:  # the memos are imported on first use: a check answered from the
    # snapshot needs none of them (nor the scanner they wrap)
    from briefgen.cache.memos import FrontMatterMemo, SyllableMemo
    from briefgen.evidence.passages import Passage
    from briefgen.scan import FileScan, Progress, ScanInput


class CacheMemory:
    """Every memo of a run, kept in one :class:`~briefgen.cache.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, root: Path, enabled: bool) -> CacheMemory | None:
        """The memory of the project in ``root``; None when the cache is off or no key can
        be had (``Store.open``)."""
        store = Store.open(root, enabled)
        return cls(store) if store is not None else None

    def front_matters(self, audiences: Iterable[str]) -> FrontMatterMemo:
        from briefgen.cache.memos import FrontMatterMemo

        return FrontMatterMemo(self.store, audiences)

    def scan(
        self, inputs: Sequence[ScanInput], progress: Progress | None, jobs: int | None
    ) -> list[FileScan]:
        from briefgen.cache.scans import scan_cached

        return scan_cached(self.store, inputs, progress, jobs)

    def syllables(self) -> SyllableMemo:
        from briefgen.cache.memos import SyllableMemo

        return SyllableMemo(self.store)

    def source_passages(self, name: str, read: Callable[[], list[Passage]]) -> list[Passage]:
        from briefgen.cache.codec import BAD, dumps, loads
        from briefgen.evidence.passages import from_json, to_json

        entry = self.store.key("source", name)
        stored = loads(self.store.get("source", entry))
        if stored is not None:
            try:
                return from_json(stored)
            except BAD:
                pass
        found = read()
        self.store.put("source", entry, dumps(to_json(found)))
        return found

    def recorded_outputs(self, outdir: Path, stem: str, key: str) -> dict[str, str]:
        from briefgen.cache.builds import recorded_outputs

        return recorded_outputs(self.store, outdir, stem, key)

    def record_outputs(self, outdir: Path, stem: str, key: str, outputs: dict[str, str]) -> None:
        from briefgen.cache.builds import record_outputs

        record_outputs(self.store, outdir, stem, key, outputs)
