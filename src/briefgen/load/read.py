"""Reading a content file (a brief, a section, ``briefgen.yaml``) to text, with one wording
for each way that can fail."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from briefgen import files
from briefgen.files import Refused, TooLarge, decode_text, read_inside


class Unreadable(Exception):
    """A content file briefgen cannot read: where (1-based line) and what to do."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def not_utf8(exc: UnicodeDecodeError) -> Unreadable:
    return Unreadable(*files.not_utf8(exc))


def cannot_read(exc: OSError) -> str:
    return f"cannot read file: {exc.strerror}"


def read_content(root: Path, path: Path, rel: str, what: str, limit: int) -> str:
    """The text of the content file at ``path`` (``rel`` from the project, a ``what`` such
    as "section"): LF endings, no BOM (:func:`briefgen.files.decode_text`). Stat before
    reading: a huge, sparse or special file (a directory, a pipe) is never read. Raises
    :class:`Unreadable`."""
    try:
        raw = read_inside(root, path, limit)
    except TooLarge as exc:
        raise Unreadable(
            1,
            f"{what} is {exc.size / 2**20:.1f} MB, over the {exc.limit // 2**20} MB "
            f"a {what} may hold: split it into several {what}s",
        ) from None
    except Refused as exc:
        raise Unreadable(1, f"{rel} {exc}") from None
    except OSError as exc:
        raise Unreadable(1, cannot_read(exc)) from None
    try:
        return decode_text(raw)
    except UnicodeDecodeError as exc:
        raise not_utf8(exc) from None


def suggest_id(name: str, fallback: str) -> str:
    """A valid id close to ``name``: 'Café Notes' -> 'cafe-notes'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or fallback


def bad_name(path: Path, kind: str) -> str:
    suggestion = suggest_id(path.stem, kind.split()[0]) + path.suffix
    return (
        f"file name '{path.name}' is not a valid {kind}: use lowercase letters, digits "
        f"and '-' (rename it to '{suggestion}')"
    )
