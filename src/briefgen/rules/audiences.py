"""Audiences named where briefgen.yaml does not define them: one finding, one wording."""

from __future__ import annotations

from collections.abc import Iterable

from briefgen.findings import Finding, did_you_mean


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
