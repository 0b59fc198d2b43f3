"""Atomic writes and hashes, shared by outputs, the cache and scaffolding."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

TMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write via a temporary file in the same directory, fsync, then rename over.

    The temporary name carries our pid, so a later run can tell a leftover of a killed
    process (removed by :func:`remove_stale_temporaries`) from a concurrent writer's file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=path.parent
    )
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:  # outputs are fsynced; disposable cache entries need not be
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def decode_text(raw: bytes) -> str:
    """A file's bytes as the text every later stage reads: UTF-8 without a leading
    byte-order mark, CRLF and lone CR line endings made LF. So a section saved on Windows
    (or checked out with autocrlf) checks and builds exactly like the same file with LF
    endings, with the same lines and columns. Raises UnicodeDecodeError."""
    text = raw.decode("utf-8").removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class Refused(Exception):
    """A file briefgen will not read: what is wrong with it, for a finding."""


class TooLarge(Refused):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"is {size / 2**20:.1f} MB, over the {limit // 2**20} MB a file may hold: split it"
        )
        self.size, self.limit = size, limit


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, links resolved, lies inside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def read_inside(root: Path, path: Path, limit: int) -> bytes:
    """The bytes of a content file: links resolved, it must lie inside the project and be a
    regular file (not a FIFO, a device, a directory) of at most ``limit`` bytes, checked
    before anything is read. Raises Refused with what to do, or OSError."""
    if not inside(root, path):
        raise Refused("is a link to a file outside the project: content must stay inside it")
    status = os.stat(path)
    if not stat.S_ISREG(status.st_mode):
        raise Refused("is not a regular file (a directory, a pipe or a device): remove it")
    if status.st_size > limit:
        raise TooLarge(status.st_size, limit)
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise TooLarge(len(data), limit)
    return data


def read_text(path: Path) -> str:
    """:func:`decode_text` of the file at ``path`` (raises OSError, UnicodeDecodeError)."""
    return decode_text(path.read_bytes())


def line_of_byte(raw: bytes, index: int) -> int:
    """1-based line of byte ``index``, counting line endings as :func:`decode_text` does."""
    head = raw[:index]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Delete temporary files left in ``directory`` by writers that no longer run."""
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for path in directory.glob(f".*{TMP_SUFFIX}"):
        parts = path.name.split(".")
        pid = int(parts[-3]) if len(parts) >= 4 and parts[-3].isdigit() else None
        if pid is None or (pid != os.getpid() and _running(pid)):
            continue  # not one of ours (an editor's file), or a live writer's
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_writable(directory: Path) -> None:
    """Create ``directory`` and prove a file can be written there, or raise OSError."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, probe = tempfile.mkstemp(
        prefix=f".briefgen-probe.{os.getpid()}.", suffix=TMP_SUFFIX, dir=directory
    )
    os.close(fd)
    os.unlink(probe)
