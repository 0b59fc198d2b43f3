"""Rebuild a brief whenever one of its inputs changes (``briefgen watch``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from briefgen.build import BuildOutcome, build_briefs
from briefgen.errors import BriefgenError
from briefgen.project import load_project

Changes = Iterable[object]  # one item per batch of file changes


def watched_paths(root: Path) -> list[Path]:
    paths = [root / "briefgen.yaml", root / "briefs"]
    paths += [p for p in (root / "references.bib", root / "templates") if p.exists()]
    return paths


def file_changes(root: Path) -> Changes:
    import watchfiles

    def relevant(_change: object, path: str) -> bool:
        name = Path(path).name
        return not name.startswith(".") and not name.endswith(("~", ".tmp", ".swp"))

    return watchfiles.watch(*watched_paths(root), watch_filter=relevant, raise_interrupt=False)


def watch(
    root: Path,
    briefs: Sequence[str],
    formats: Sequence[str],
    outdir: Path,
    report: Callable[[BuildOutcome | BriefgenError], None],
    changes: Changes | None = None,
) -> int:
    """Build now and after every batch of changes; report each outcome, keep going after
    errors. Returns how many builds ran (the loop ends when ``changes`` does)."""
    runs = 0

    def once() -> None:
        nonlocal runs
        runs += 1
        try:
            project = load_project(root)
            report(build_briefs(project, briefs, formats, outdir))
        except BriefgenError as exc:  # a broken file mid-edit: say so and wait for the fix
            report(exc)

    once()
    for _ in changes if changes is not None else file_changes(root):
        once()
    return runs
