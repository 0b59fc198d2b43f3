"""Load and lint ``references.bib`` (bibtexparser 2)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bibtexparser import model
from bibtexparser.entrypoint import parse_string

from briefgen.errors import ConfigError
from briefgen.files import Refused, TooLarge, decode_text, not_utf8, read_inside
from briefgen.findings import Finding
from briefgen.model import MAX_BIBLIOGRAPHY_BYTES, Project
from briefgen.rules import titlecase


@dataclass(frozen=True)
class Entry:
    key: str
    type: str  # BibTeX entry type, lower case ("report", "article" ...)
    fields: dict[str, str]  # field name (lower case) -> raw value
    line: int  # 1-based line of the entry's '@'


@dataclass(frozen=True)
class Bibliography:
    path: Path
    rel: str
    entries: dict[str, Entry]
    findings: tuple[Finding, ...]  # parse errors, duplicates, missing fields
    readable: bool = True  # False: the file was refused, so no key can be called unknown

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.entries)




def read_bibliography(root: Path, path: Path) -> bytes:
    """The bibliography's bytes as the check reads them: a regular file inside the project
    of at most MAX_BIBLIOGRAPHY_BYTES, stat before reading. Raises Refused or OSError."""
    return read_inside(root, path, MAX_BIBLIOGRAPHY_BYTES)


def project_bibliography(project: Project) -> Bibliography:
    """The project's bibliography, its capitalised title words checked when the project's
    titles print sentence-cased (rules.titlecase.applies)."""
    config = project.config
    title_case = titlecase.applies(config.lang, config.csl)
    rel = project.rel(config.bibliography)
    return load_bibliography(config.bibliography, rel, project.root, title_case)


def load_bibliography(path: Path, rel: str, root: Path, title_case: bool = False) -> Bibliography:
    """The bibliography and its findings; ``title_case``: whether a capital pandoc lowers
    in a title is a `title-case` warning."""
    try:
        text = decode_text(read_bibliography(root, path))
    except Refused as exc:
        if isinstance(exc, TooLarge):
            message = (
                f"bibliography is {exc.size / 2**20:.1f} MB, over the "
                f"{exc.limit // 2**20} MB briefgen reads: remove the entries no section "
                "cites, or point 'bibliography:' in briefgen.yaml at a smaller file"
            )
        else:
            message = f"{rel} {exc}"
        refused = Finding(rel, 1, 1, "bib-file", message)
        return Bibliography(path, rel, {}, (refused,), readable=False)
    except FileNotFoundError:
        raise ConfigError(
            f"{rel}: bibliography not found: create it, or set 'bibliography:' in briefgen.yaml"
        ) from None
    except UnicodeDecodeError as exc:
        line, message = not_utf8(exc)
        raise ConfigError(f"{rel}:{line}: {message}") from None
    except OSError as exc:
        raise ConfigError(f"{rel}: cannot read: {exc.strerror}") from None
    return parse_bibliography(text, path, rel, title_case)


def parse_bibliography(text: str, path: Path, rel: str, title_case: bool = False) -> Bibliography:
    # bibtexparser logs each failed block on its own; we report them as findings.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        library = parse_string(text)
    finally:
        logger.setLevel(level)

    findings: list[Finding] = []
    entries: dict[str, Entry] = {}

    def finding(line: int, rule: str, message: str, excerpt: str = "") -> None:
        findings.append(Finding(rel, line, 1, rule, message, excerpt))

    for block in library.blocks:
        line = (block.start_line or 0) + 1
        raw = block.raw or ""
        first = raw.strip().splitlines()[0][:80] if raw.strip() else ""
        problem = _block_problem(block, entries)
        if problem is not None:
            finding(line, *problem, first)
        elif isinstance(block, model.Entry):
            if not block.key.strip():
                finding(line, "bib-parse-error", "entry has no key: write @type{key, ...}", first)
                continue
            fields = {f.key.lower(): str(f.value) for f in block.fields}
            entry = Entry(block.key, block.entry_type.lower(), fields, line)
            entries[entry.key] = entry
            missing = missing_fields(fields)
            if missing:
                finding(
                    line,
                    "bib-missing-field",
                    f"entry '{entry.key}' lacks {' and '.join(missing)}: add "
                    f"{'them' if len(missing) > 1 else 'it'} from the source",
                    first,
                )
            if title_case and (case := titlecase.entry_message(entry.type, fields)):
                finding(line, "title-case", case, " ".join(fields.get("title", "").split())[:200])
    return Bibliography(path, rel, entries, tuple(findings))


def _block_problem(block: model.Block, entries: dict[str, Entry]) -> tuple[str, str] | None:
    """(rule, message) for a block that is not an entry briefgen can read (a duplicate key,
    a parse failure, stray text starting with '@'); None for any other block."""
    if isinstance(block, model.DuplicateBlockKeyBlock):
        first_line = entries[block.key].line if block.key in entries else None
        where = f" (first defined at line {first_line})" if first_line else ""
        message = f"duplicate key '{block.key}'{where}: rename or remove one entry"
        return "bib-duplicate-key", message
    if isinstance(block, model.ParsingFailedBlock):
        return "bib-parse-error", f"cannot read this entry: {_parse_reason(block)}"
    if isinstance(block, model.ImplicitComment) and (block.raw or "").lstrip().startswith("@"):
        return (
            "bib-parse-error",
            "text starting with '@' is not an entry: write @type{key, field = {...}}",
        )
    return None


def _parse_reason(block: model.ParsingFailedBlock) -> str:
    error = getattr(block, "error", None)
    reason = str(getattr(error, "abort_reason", "") or error or "")
    reason = " ".join(reason.split())
    if not reason:
        reason = "syntax error"
    return reason + " (check braces and commas)"


def missing_fields(fields: dict[str, str]) -> list[str]:
    missing = []
    if "author" not in fields and "editor" not in fields:
        missing.append("author/editor")
    if "title" not in fields:
        missing.append("title")
    if "year" not in fields and "date" not in fields:
        missing.append("year/date")
    return missing


# --------------------------------------------------------------------------- subsets

_BLOCK_START = re.compile(r"^[ \t]*@", re.M)
_BLOCK_HEAD = re.compile(r"@[ \t]*(\w+)[ \t]*[{(][ \t\n]*([^,\s]*)")
# pandoc's citation keys: @key or @{key}; a key may hold :.#$%&-+?<>~/ inside, not at its end
_CITED = re.compile(r"@\{([^{}\n]+)\}|@([\w][\w:.#$%&\-+?<>~/]*)")
_KEY_PUNCTUATION = re.compile(r"[:.#$%&\-+?<>~/]")


def cited_keys(markdown: str) -> set[str]:
    """Every key the text may cite (a superset: ``@a.b.`` gives ``a``, ``a.b`` and ``a.b.``,
    since only pandoc knows where such a key ends)."""
    keys: set[str] = set()
    for braced, bare in _CITED.findall(markdown):
        if braced:
            keys.add(braced)
            continue
        keys.add(bare)
        keys.update(bare[: m.start()] for m in _KEY_PUNCTUATION.finditer(bare))
    return keys


def subset(text: str, keys: Iterable[str]) -> str | None:
    """The BibTeX of only these entries, with every @string and @preamble they may use; None
    when the file cannot be split safely (then use it whole).

    citeproc reads the whole bibliography given to it, so a brief citing 40 of 300 entries
    spends most of its citation time on entries it never prints; the subset gives the same
    output in a fraction of the time.
    """
    wanted = set(keys)
    starts = [m.start() for m in _BLOCK_START.finditer(text)]
    kept: list[str] = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        block = text[start:end]
        head = _BLOCK_HEAD.match(block.lstrip())
        if head is None or block.count("{") != block.count("}"):
            return None  # an '@' inside a field, or a brace left open: no safe split
        kind, key = head.group(1).lower(), head.group(2)
        if kind in ("string", "preamble") or (kind != "comment" and key in wanted):
            kept.append(block)
    return "".join(kept)
