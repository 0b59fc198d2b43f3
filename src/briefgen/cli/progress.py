"""Progress on stderr, only when stderr is a terminal: a check's scan, a build's briefs."""

from __future__ import annotations

import sys
from typing import Any

import click


class ScanProgress:
    """A progress bar on stderr while a check parses many files (only on a terminal, and
    only when there are enough files to wait for); silent otherwise."""

    MIN_FILES = 50

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < self.MIN_FILES or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(length=total, label="checking", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> ScanProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


class BriefProgress:
    """Each built brief's line on stderr; with several briefs on a terminal, a progress bar
    instead that moves on and shows each brief's name."""

    def __init__(self) -> None:
        self.bar: Any = None

    def plan(self, total: int) -> None:
        if total > 1 and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="building", file=sys.stderr)
            self.bar.__enter__()

    def __call__(self, message: str) -> None:
        if self.bar is None:
            click.echo(message, err=True)
            return
        self.bar.update(1)
        self.bar.label = message.split(":")[0]

    def __enter__(self) -> BriefProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
