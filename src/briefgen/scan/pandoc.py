"""Running pandoc: which binary, with which runtime options, and the one function that runs
it and turns its failures into ``RenderError`` (reading for the check and rendering for the
build both come through here).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from briefgen.errors import RenderError
from briefgen.scan.model import Json

READER = "markdown"  # pandoc's reader for section text, the same for check and build
READ_TIMEOUT = 120  # seconds for one reading process (a 1 MB batch takes about 2)
RENDER_TIMEOUT = 600  # seconds for one pandoc run of a build (a 20-section brief takes ~2)

# The bundled pandoc is linked with ``-with-rtsopts=-H64m``: every process starts by taking
# a 64 MB heap. For the check's reading batches a small suggested heap is cheaper: measured
# on 1 MB batches, 25 MB less memory per process, less system time and no more CPU overall.
# Set only for the bundled binary (another pandoc may not accept runtime options, and fail)
# and never over a GHCRTS the user set.
_READER_RTS = "-H8m -M2g"  # -M: a heap limit, so no input can take the machine's memory


class PandocError(RenderError):
    """pandoc could not be run, did not finish, or failed; ``reason`` is what it said."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pandoc briefgen runs: ``$PYPANDOC_PANDOC`` when set, else the one
    pypandoc-binary bundles (the version briefgen is tested with), else whichever pandoc
    pypandoc finds. The bundled one is found without importing pypandoc, which would run
    ``pandoc --version`` on every candidate: more time than a warm check takes."""
    override = os.environ.get("PYPANDOC_PANDOC")
    if override:
        return override
    bundled = _bundled_pandoc()
    if bundled:
        return bundled
    import pypandoc

    return str(pypandoc.get_pandoc_path())


@lru_cache(maxsize=1)
def _bundled_pandoc() -> str | None:
    spec = importlib.util.find_spec("pypandoc")
    name = "pandoc.exe" if os.name == "nt" else "pandoc"
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = os.path.join(location, "files", name)
        if os.path.isfile(candidate):
            return candidate
    return None


_RENDER_RTS = "-M4g"  # rendering a whole brief: a heap limit too, roomier than reading's


@lru_cache(maxsize=1)
def _reader_env() -> dict[str, str]:
    """The runtime options for reading (see ``_READER_RTS``), where they apply."""
    if "GHCRTS" in os.environ or pandoc_path() != _bundled_pandoc():
        return {}
    return {"GHCRTS": _READER_RTS}


@lru_cache(maxsize=1)
def render_env() -> dict[str, str]:
    """The runtime options for rendering (a heap limit: ``_RENDER_RTS``), where they apply
    (the bundled pandoc, and no GHCRTS of the user's)."""
    if "GHCRTS" in os.environ or pandoc_path() != _bundled_pandoc():
        return {}
    return {"GHCRTS": _RENDER_RTS}


def run(
    args: Sequence[str],
    text: str,
    *,
    timeout: int,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """pandoc's output for ``text`` on its standard input; ``env``: variables set for it on
    top of the environment. Failures raise ``PandocError``: ``pandoc failed: <what pandoc
    said, on one line>``, ``pandoc did not finish in <timeout> s``, ``cannot run pandoc: ...``.
    """
    try:
        proc = subprocess.run(
            [pandoc_path(), *args],
            input=text.encode("utf-8"),
            capture_output=True,
            cwd=cwd,
            env={**os.environ, **env} if env else None,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        message = f"pandoc did not finish in {timeout} s"
        raise PandocError(message, message) from None
    except OSError as exc:
        message = f"cannot run pandoc: {exc}"
        raise PandocError(message, message) from None
    if proc.returncode != 0:
        said = " ".join(proc.stderr.decode("utf-8", "replace").strip().splitlines())
        reason = said or f"exit {proc.returncode}"
        raise PandocError(f"pandoc failed: {reason}", reason)
    return proc.stdout


def read(text: str) -> bytes:
    """pandoc's JSON for Markdown text, read as sections are read."""
    return run(["-f", READER, "-t", "json"], text, timeout=READ_TIMEOUT, env=_reader_env())


def read_document(text: str) -> tuple[list[Json], tuple[str, ...]]:
    """The blocks of a text, and the fields of any YAML metadata block pandoc found in it.
    (A ``RecursionError`` from nesting too deep to decode is the caller's to catch.)"""
    document = json.loads(read(text))
    return document["blocks"], tuple(sorted(document["meta"]))
