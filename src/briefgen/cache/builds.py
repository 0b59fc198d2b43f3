"""This machine's record of what a build wrote, kept in the store.

A brief's outputs are "up to date" only when this record says a build with the same build
key wrote exactly these files (:func:`briefgen.render.up_to_date`): outputs and a manifest
that came with a checkout, or were edited by hand, are never taken for a build. The record
is signed like every entry, so one that came with a checkout does not verify either. One
record per output directory and output stem; without a store there is no record, and every
build renders.
"""

from __future__ import annotations

from pathlib import Path

from briefgen.cache.codec import dumps, loads
from briefgen.cache.store import Store

NAMESPACE = "built"


def recorded_outputs(store: Store | None, outdir: Path, stem: str, key: str) -> dict[str, str]:
    """The outputs (name -> SHA-256) the last build of ``stem`` into ``outdir`` wrote, if it
    had this build key; else nothing."""
    if store is None:
        return {}
    record = loads(store.get(NAMESPACE, _name(store, outdir, stem)))
    if not isinstance(record, dict) or record.get("build_key") != key:
        return {}
    outputs = record.get("outputs")
    if not isinstance(outputs, dict):
        return {}
    return {k: v for k, v in outputs.items() if isinstance(k, str) and isinstance(v, str)}


def record_outputs(
    store: Store | None, outdir: Path, stem: str, key: str, outputs: dict[str, str]
) -> None:
    """Record that a build with ``key`` wrote ``outputs`` (name -> SHA-256) to ``outdir``."""
    if store is not None:
        record = {"build_key": key, "outputs": outputs}
        store.put(NAMESPACE, _name(store, outdir, stem), dumps(record))


def _name(store: Store, outdir: Path, stem: str) -> str:
    return store.key(NAMESPACE, str(outdir.resolve()), stem)
