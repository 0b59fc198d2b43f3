"""The scan cache: an adapter around :func:`briefgen.scan.scan_files`, which knows nothing
of it.

A scan is keyed by everything it depends on: the file's bytes, the summary's position, the
pandoc reader, and (through :func:`~briefgen.cache.store.key`) briefgen's code and pandoc's
binary. The bibliography is not part of the key because a scan records which keys are
cited, not whether they exist; findings are always computed afresh.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefgen.cache.codec import BAD, decode_scan, dumps, encode_scan, loads
from briefgen.cache.store import Store
from briefgen.scan import FileScan, Progress, ScanInput, scan_files
from briefgen.scan.pandoc import READER

NAMESPACE = "scan"


def scan_cached(
    store: Store | None,
    inputs: Sequence[ScanInput],
    progress: Progress | None = None,
    jobs: int | None = None,
) -> list[FileScan]:
    """:func:`~briefgen.scan.scan_files`, through the cache: only files whose key is new
    go through pandoc. Without a store, every file does."""
    if store is None:
        return scan_files(inputs, jobs, progress)
    keys = [
        store.key(
            NAMESPACE,
            READER,
            str(item.body_offset),
            str(item.summary_offset),
            item.summary or "",
            item.source,
        )
        for item in inputs
    ]
    results: list[FileScan | None] = [_read(store, k) for k in keys]
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        fresh = scan_files([inputs[i] for i in missing], jobs, progress)
        for i, scan in zip(missing, fresh, strict=True):
            results[i] = scan
            if scan.error is None:
                store.put(NAMESPACE, keys[i], dumps(encode_scan(scan)))
    return [r for r in results if r is not None]


def _read(store: Store, key: str) -> FileScan | None:
    data = loads(store.get(NAMESPACE, key))
    if data is None:
        return None
    try:
        return decode_scan(data)
    except BAD:
        return None
