"""Audience fences: which text reaches which audience, and audiences named where
briefgen.yaml does not define them (one finding, one wording)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from briefgen.findings import Finding, did_you_mean

if TYPE_CHECKING:
    from briefgen.scan import FileScan


def included(sentence_blocks: Iterable[int], scan: FileScan, audiences: set[str] | None) -> bool:
    """Whether text inside these audience blocks reaches any of the audiences."""
    if audiences is None:
        return True
    blocks = [scan.blocks[i] for i in sentence_blocks]
    return any(all(b.admits(a) for b in blocks) for a in audiences)


def unknown_audience(rel: str, line: int, name: str, choices: Iterable[str]) -> Finding:
    """An ``unknown-audience`` finding for ``name`` (suggesting one of ``choices``)."""
    return Finding(
        rel,
        line,
        1,
        "unknown-audience",
        f"unknown audience '{name}'{did_you_mean(name, tuple(choices))}: "
        "define it under audiences: in briefgen.yaml",
    )
