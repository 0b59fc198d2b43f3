"""Rebuild a brief whenever one of its inputs changes (``briefgen watch``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from briefgen.build import BuildOutcome, build_briefs
from briefgen.errors import BriefgenError
from briefgen.project import load_project

Changes = Iterable[object]  # one item per batch of file changes


def watched_paths(root: Path) -> list[Path]:
    """The files and folders whose changes rebuild (with any .bib or .csl file: see
    ``relevant``), whether they exist yet or not."""
    return [root / "briefgen.yaml", root / "briefs", root / "templates"]


def relevant(root: Path, path: Path) -> bool:
    """Whether a change to ``path`` can change a build: briefgen.yaml, anything in briefs/
    or templates/, a bibliography or a CSL style; never a hidden or temporary file (the
    cache, an editor's swap file), nor an output."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return False
    if any(part.startswith(".") for part in rel.parts) or rel.name.endswith(("~", ".tmp", ".swp")):
        return False
    if rel.suffix in (".bib", ".csl"):
        return True
    return any(path == p or p in path.parents for p in watched_paths(root))


def file_changes(root: Path) -> Changes:
    """Batches of relevant changes. The project folder is watched as a whole, so that a
    file created once watching has begun is seen too: a bibliography deleted and written
    again, a templates/ folder added (a watch on a file itself ends when it is deleted)."""
    import watchfiles

    def keep(_change: object, path: str) -> bool:
        return relevant(root, Path(path))

    return watchfiles.watch(root, watch_filter=keep, raise_interrupt=False)


def watch(
    root: Path,
    briefs: Sequence[str],
    formats: Sequence[str],
    outdir: Path,
    report: Callable[[BuildOutcome | BriefgenError], None],
    changes: Changes | None = None,
    epoch: int | None = None,
) -> int:
    """Build now and after every batch of changes; report each outcome, keep going after
    errors. Returns how many builds ran (the loop ends when ``changes`` does)."""
    runs = 0

    def once() -> None:
        nonlocal runs
        runs += 1
        try:
            project = load_project(root)
            report(build_briefs(project, briefs, formats, outdir, epoch=epoch))
        except BriefgenError as exc:  # a broken file mid-edit: say so and wait for the fix
            report(exc)

    once()
    for _ in changes if changes is not None else file_changes(root):
        once()
    return runs
