"""The one small error hierarchy. The library raises these; ``cli.py`` turns them into
a one-line message and an exit code."""

from __future__ import annotations

from pathlib import Path


class BriefgenError(Exception):
    """Anything briefgen reports to the user instead of a traceback."""

    exit_code = 1


class ConfigError(BriefgenError):
    """The project cannot be used at all (no project, unreadable briefgen.yaml, bad option)."""

    exit_code = 2


class SourceError(BriefgenError):
    """A problem located in one input file."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.path}:{line}: {message}")


class RenderError(BriefgenError):
    """pandoc or typst failed; carries their message."""
