"""Atomic writes and hashes, shared by outputs, the cache and scaffolding."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

TMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write via a temporary file in the same directory, fsync, then rename over.

    The temporary name carries our pid, so a later run can tell a leftover of a killed
    process (removed by :func:`remove_stale_temporaries`) from a concurrent writer's file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(path.parent, f".{path.name}.{os.getpid()}.")
    try:
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


_TEMPORARY_FLAGS = (
    os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
)


def _create_temporary(directory: Path, prefix: str) -> tuple[int, str]:
    """A new file ``<prefix><random>.tmp`` in ``directory``, opened for writing: created
    exclusively as :func:`tempfile.mkstemp` does, but with mode 0o666 so the kernel applies
    the process umask itself, and the file renamed into place gets the mode any new file
    gets. (mkstemp's 0o600 would need an fchmod to the umask, and reading the umask means
    setting it, process-wide, while other threads may be creating files.)"""
    for _ in range(100):
        name = os.path.join(directory, f"{prefix}{secrets.token_hex(4)}{TMP_SUFFIX}")
        try:
            return os.open(name, _TEMPORARY_FLAGS, 0o666), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


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


def from_cwd(path: Path) -> str:
    """A path as a user would type it here: relative to the current directory when it lies
    below it, else as it is."""
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, links resolved, lies inside ``root``."""
    try:
        if plainly_below(os.fspath(root), os.fspath(path)):
            return True
    except OSError:
        pass  # a component is missing: resolving says whether it would lie inside
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def plainly_below(root: str, path: str) -> bool:
    """Whether ``path`` is written below ``root`` (no ``..``) and no component from there
    down to it is a link: then it lies inside without resolving anything (a warm check
    asks this of every section file; resolving two paths each took 0.1 s per 1,000).
    Raises OSError when a component does not exist."""
    prefix = root.rstrip(os.sep) + os.sep
    if not path.startswith(prefix):
        return False
    parts = path[len(prefix) :].split(os.sep)
    if any(part in ("", ".", "..") for part in parts):
        return False
    current = root
    for part in parts:
        current = os.path.join(current, part)
        if stat.S_ISLNK(os.lstat(current).st_mode):
            return False
    return True


def read_inside(root: Path, path: Path, limit: int) -> bytes:
    """The bytes of a content file: links resolved, it must lie inside the project and be a
    regular file (not a FIFO, a device, a directory) of at most ``limit`` bytes, checked
    before anything is read. Raises Refused with what to do, or OSError."""
    if not inside(root, path):
        raise Refused("is a link to a file outside the project: content must stay inside it")
    return read_bounded(path, limit)


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, wherever it lies (for files
    the user names, such as a built output); :func:`read_inside` for content."""
    _check_regular(path, limit)
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise TooLarge(len(data), limit)
    return data


def read_chunks(path: Path, limit: int, chunk: int = 2**20) -> Iterator[bytes]:
    """The bytes of a regular file of at most ``limit`` bytes, in chunks, so a large output
    is hashed or compared without holding it in memory. Raises Refused, or OSError."""
    _check_regular(path, limit)
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            size += len(block)
            if size > limit:  # it grew while being read
                raise TooLarge(size, limit)
            yield block


def sha256_bounded(path: Path, limit: int) -> str:
    """:func:`sha256` of the file at ``path`` (:func:`read_chunks`)."""
    digest = hashlib.sha256()
    for block in read_chunks(path, limit):
        digest.update(block)
    return digest.hexdigest()


def _check_regular(path: Path, limit: int) -> None:
    """Stat before reading: a FIFO would block, a device never end."""
    status = os.stat(path)
    if not stat.S_ISREG(status.st_mode):
        raise Refused("is not a regular file (a directory, a pipe or a device): remove it")
    if status.st_size > limit:
        raise TooLarge(status.st_size, limit)


def read_text(path: Path) -> str:
    """:func:`decode_text` of the file at ``path`` (raises OSError, UnicodeDecodeError)."""
    return decode_text(path.read_bytes())


def line_of_byte(raw: bytes, index: int) -> int:
    """1-based line of byte ``index``, counting line endings as :func:`decode_text` does."""
    head = raw[:index]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def not_utf8(exc: UnicodeDecodeError) -> tuple[int, str]:
    """Where a file that is not UTF-8 first goes wrong (1-based line), and the one wording
    for it, naming the byte."""
    raw = exc.object if isinstance(exc.object, bytes) else bytes(exc.object)
    line = line_of_byte(raw, exc.start)
    return line, (
        f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}); save the file as UTF-8"
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


JOURNAL_SUFFIX = ".commit"
_JOURNAL_LIMIT = 64 * 1024


def write_set(directory: Path, files: Sequence[tuple[str, bytes]], name: str) -> None:
    """Write ``files`` (name, bytes) into ``directory`` as one set, the last one last.

    Each file goes to a temporary file first (fsynced); then a journal that names them all
    (``.<name>.<pid>.commit``) is written; then each is renamed into place in order, and
    the journal removed. A set stopped after its journal (a kill, a full disk, a power cut)
    is finished by :func:`recover_sets` at the next build, so the directory never keeps a
    new PDF beside an old manifest; one stopped before it leaves the old set untouched.
    """
    directory.mkdir(parents=True, exist_ok=True)
    pending: list[tuple[str, str]] = []
    try:
        for final, data in files:
            fd, tmp = _create_temporary(directory, f".{final}.{os.getpid()}.")
            pending.append((os.path.basename(tmp), final))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        journal = directory / f".{name}.{os.getpid()}{JOURNAL_SUFFIX}"
        write_atomic(journal, json.dumps({"rename": pending}).encode("utf-8"))
    except BaseException:  # the old set stands: the new one's files go
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                os.unlink(directory / tmp)
        raise
    _fsync_directory(directory)
    for tmp, final in pending:
        os.replace(directory / tmp, directory / final)
    _fsync_directory(directory)
    journal.unlink()


def recover_sets(directory: Path) -> list[str]:
    """Finish the sets that :func:`write_set` left half renamed (its process is gone): the
    files a journal names whose temporary file is still there are renamed into place. A
    journal is trusted only as far as it names our own temporary files for plain names in
    this directory; any other is removed unused. Returns the names put in place."""
    done: list[str] = []
    if not directory.is_dir():
        return done
    for journal in sorted(directory.glob(f".*{JOURNAL_SUFFIX}")):
        parts = journal.name.split(".")
        pid = int(parts[-2]) if len(parts) >= 4 and parts[-2].isdigit() else None
        if pid is None or (pid != os.getpid() and _running(pid)):
            continue  # not ours, or a live writer's
        try:
            pairs = json.loads(read_inside(directory, journal, _JOURNAL_LIMIT))["rename"]
            checked = [(tmp, final) for tmp, final in pairs if _own_temporary(tmp, final)]
            if len(checked) != len(pairs):
                checked = []  # not a journal briefgen wrote: put nothing in place
            for tmp, final in checked:
                source = directory / tmp
                if source.is_file() and not source.is_symlink():
                    os.replace(source, directory / final)
                    done.append(final)
        except (OSError, Refused, ValueError, TypeError, KeyError):
            pass
        with contextlib.suppress(OSError):
            journal.unlink()
    return done


def _own_temporary(tmp: object, final: object) -> bool:
    """Whether ``tmp`` is a temporary name write_set gives ``final``, both plain names."""
    if not isinstance(tmp, str) or not isinstance(final, str):
        return False
    plain = all(
        n and "/" not in n and "\\" not in n and "\0" not in n and n not in (".", "..")
        for n in (tmp, final)
    )
    return (
        plain
        and not final.startswith(".")
        and tmp.startswith(f".{final}.")
        and (tmp.endswith(TMP_SUFFIX))
    )


def _fsync_directory(directory: Path) -> None:
    """Make renames in ``directory`` durable (where the platform allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
