"""Rebuild a brief whenever one of its inputs changes (``briefgen watch``).

Which files are inputs is briefgen.inputs' to say: :func:`briefgen.inputs.possible_inputs`,
read from briefgen.yaml again whenever it changes, names every file that is or may become
an input of a brief (briefgen.yaml, the bibliography wherever ``bibliography:`` points, a
CSL file of the project, anything in briefs/ and in the project's templates folder, any
image).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from briefgen.build import BuildOutcome, build_briefs
from briefgen.errors import BriefgenError
from briefgen.inputs import PossibleInputs, possible_inputs
from briefgen.load import load_config, load_project
from briefgen.memory import Memory
from briefgen.model import CONFIG_FILE

Changes = Iterable[object]  # one item per batch of file changes


def project_inputs(root: Path) -> PossibleInputs:
    """What may be an input of a brief of the project at ``root``, as its briefgen.yaml says
    now; while briefgen.yaml cannot be read, any file (a CSL file or a templates folder it
    names may be what is missing)."""
    try:
        config = load_config(root)
    except BriefgenError:
        config = None
    return possible_inputs(root, config)


def watched_paths(root: Path, inputs: PossibleInputs | None = None) -> list[Path]:
    """The files and folders whose changes rebuild (with any image file: see ``relevant``),
    whether they exist yet or not."""
    inputs = inputs if inputs is not None else project_inputs(root)
    return [root / f for f in sorted(inputs.files)] + [root / d for d in inputs.folders]


def relevant(root: Path, path: Path, inputs: PossibleInputs | None = None) -> bool:
    """Whether a change to ``path`` can change a build: a file that is or may become an
    input (``inputs``, as watch last read them; by default read from briefgen.yaml now);
    never a hidden or temporary file (the cache, an editor's swap file) unless
    briefgen.yaml names it, nor an output."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return False
    inputs = inputs if inputs is not None else project_inputs(root)
    if rel in inputs.files:
        return True
    if any(part.startswith(".") for part in rel.split("/")) or rel.endswith(("~", ".tmp", ".swp")):
        return False
    return inputs.matches(rel)


def file_changes(root: Path) -> Changes:
    """Batches of relevant changes. The project folder is watched as a whole, so that a
    file created once watching has begun is seen too: a bibliography deleted and written
    again, a templates folder added (a watch on a file itself ends when it is deleted).
    What may be an input is read again whenever briefgen.yaml changes (its status says so:
    one stat per change), and on every change while it cannot be read."""
    import watchfiles

    last: list[tuple[tuple[int, ...] | None, PossibleInputs]] = []

    def current() -> PossibleInputs:
        try:
            status = os.stat(root / CONFIG_FILE)
            stamp: tuple[int, ...] | None = (status.st_mtime_ns, status.st_size, status.st_ino)
        except OSError:
            stamp = None
        if not last or last[0][0] != stamp or last[0][1].anything:
            last[:] = [(stamp, project_inputs(root))]
        return last[0][1]

    def keep(_change: object, path: str) -> bool:
        return relevant(root, Path(path), current())

    return watchfiles.watch(root, watch_filter=keep, raise_interrupt=False)


def watch(
    root: Path,
    briefs: Sequence[str],
    formats: Sequence[str],
    outdir: Path,
    report: Callable[[BuildOutcome | BriefgenError], None],
    changes: Changes | None = None,
    epoch: int | None = None,
    memory: Memory | None = None,
    today: dt.date | None = None,
) -> int:
    """Build now and after every batch of changes; report each outcome, keep going after
    errors. Returns how many builds ran (the loop ends when ``changes`` does). ``memory``:
    what may be reused (briefgen.memory), which also holds what makes outputs up to date.
    ``today``: the day dated statements are held to (the day watch started)."""
    runs = 0

    def once() -> None:
        nonlocal runs
        runs += 1
        try:
            project = load_project(root, memory)
            outcome = build_briefs(
                project, briefs, formats, outdir, epoch=epoch, memory=memory, today=today
            )
            report(outcome)
        except BriefgenError as exc:  # a broken file mid-edit: say so and wait for the fix
            report(exc)

    once()
    for _ in changes if changes is not None else file_changes(root):
        once()
    return runs
