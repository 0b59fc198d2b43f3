"""The texts of a project's sources, read page by page and never from outside the project.

A key's source text is every file ``sources/<key>.md``, ``.txt``, ``.pdf``, ``.html`` or
``.htm``, and every file its BibTeX entry names in a ``file`` field (as Zotero, JabRef and
Better BibTeX write it: ``path``, ``description:path:type``, several joined by ``;``),
relative to the bibliography's folder. Pages: a PDF's own pages (its page labels when it
has them); in Markdown, text and HTML a ``<!-- page 12 -->`` comment starts page 12 and a
form feed starts the next page. A text with no page marks has no pages: a source note
names its pinpoints in its own words (``p. 12``), and the passages carry them (passages.py).
Every file is read through :func:`briefgen.files.read_inside`: links resolved, inside the
project, a regular file, bounded in size. HTML is parsed with the standard library's
parser into text only: nothing in it runs, and script, style and template content is
dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.files import Refused, decode_text, read_inside, sha256
from briefgen.findings import Finding

if TYPE_CHECKING:
    from briefgen.bibliography import Bibliography
    from briefgen.evidence.passages import Passage
    from briefgen.memory import Memory

SOURCES_DIR = "sources"
TEXT_SUFFIXES = (".md", ".txt", ".html", ".htm")
SUFFIXES = (*TEXT_SUFFIXES, ".pdf")
MAX_TEXT_BYTES = 16 * 2**20  # a source note or a saved page
MAX_PDF_BYTES = 128 * 2**20  # a long report with its images
MAX_PDF_PAGES = 5000
MAX_CHARS = 20 * 2**20  # text taken from one file, whatever its pages hold
PAGE_MARK = re.compile(r"<!--\s*page\s+([\w.-]+)\s*-->", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    label: str | None  # "12", "iv"; None: the text has no page marks
    text: str


@dataclass(frozen=True)
class SourceText:
    key: str
    rel: str  # where it is, relative to the project
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Library:
    """The passages of every source text of a project, by key, and what could not be read."""

    texts: dict[str, tuple[Passage, ...]]
    findings: tuple[Finding, ...]
    files: tuple[str, ...]  # every file read or refused, relative to the project


def file_field_paths(value: str) -> list[str]:
    """The paths of a BibTeX ``file`` field: ``a.pdf``, ``:a.pdf:PDF``, ``Full
    text:a.pdf:application/pdf``, several separated by ``;`` (``\\;`` and ``\\:`` escaped)."""
    paths: list[str] = []
    for part in re.split(r"(?<!\\);", value):
        part = part.strip()
        if not part:
            continue
        pieces = re.split(r"(?<!\\):", part)
        if len(pieces) >= 3 and not re.fullmatch(r"[A-Za-z]", pieces[0]):
            path = ":".join(pieces[1:-1])
        else:
            path = part
        path = path.replace("\\:", ":").replace("\\;", ";").strip()
        if path:
            paths.append(path)
    return paths


FILE_FIELD = re.compile(r"\bfile\s*=\s*(?:\{((?:[^{}]|\{[^{}]*\})*)\}|\"([^\"]*)\")", re.I)


def file_field_sources(root: Path, bibliography: Path) -> list[tuple[str, Path]]:
    """(relative path, path) of every file the bibliography's ``file`` fields name inside
    the project, found without parsing it (for the check snapshot's key)."""
    from briefgen.model import MAX_BIBLIOGRAPHY_BYTES

    try:
        text = read_inside(root, bibliography, MAX_BIBLIOGRAPHY_BYTES).decode("utf-8", "replace")
    except (Refused, OSError):
        return []
    out = []
    for match in FILE_FIELD.finditer(text):
        for written in file_field_paths(match.group(1) or match.group(2) or ""):
            path = _contained(root, bibliography.parent, written)
            if path is not None:
                out.append((path.resolve().relative_to(root.resolve()).as_posix(), path))
    return sorted(set(out))


def _contained(root: Path, base: Path, written: str) -> Path | None:
    """The file a ``file`` field names, or None when it is absolute or reaches outside."""
    if written.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:[\\/]", written):
        return None
    if "\\" in written or ".." in Path(written).parts:
        return None
    path = base / written
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return None
    return path


def candidates(root: Path, bib: Bibliography) -> tuple[list[tuple[str, Path, str]], list[Finding]]:
    """(key, path, relative path) of every source file, and findings about ``file`` fields
    and files in sources/ that no key names."""
    found: list[tuple[str, Path, str]] = []
    findings: list[Finding] = []
    folder = root / SOURCES_DIR
    if folder.is_dir():
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            rel = f"{SOURCES_DIR}/{path.name}"
            key, suffix = path.stem, path.suffix.lower()
            if path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
                continue
            if key.upper() == "README":  # a note on the folder itself, not a source
                continue
            if suffix not in SUFFIXES:
                findings.append(_finding(rel, "source-file", _unknown_type(path.name)))
            elif key not in bib.entries:
                findings.append(
                    _finding(
                        rel,
                        "unknown-source",
                        f"source text '{rel}' names no entry of the bibliography: name it "
                        f"after a key (sources/<key>{suffix})",
                    )
                )
            else:
                found.append((key, path, rel))
    base = bib.path.parent
    for key, entry in bib.entries.items():
        for written in file_field_paths(entry.fields.get("file", "")):
            contained = _contained(root, base, written)
            if contained is None:
                findings.append(
                    Finding(
                        bib.rel,
                        entry.line,
                        1,
                        "source-file",
                        f"entry '{key}': file '{written}' is outside the project: source "
                        "texts must be inside it, named by a path relative to the bibliography",
                    )
                )
                continue
            rel = contained.resolve().relative_to(root.resolve()).as_posix()
            if contained.suffix.lower() not in SUFFIXES:
                findings.append(
                    Finding(bib.rel, entry.line, 1, "source-file", _unknown_type(written))
                )
            elif all(rel != r for _, _, r in found):
                found.append((key, contained, rel))
    return found, findings


def _unknown_type(name: str) -> str:
    return (
        f"source text '{name}' is not a type briefgen reads: save it as .md, .txt, .pdf, "
        ".html or .htm"
    )


def _finding(rel: str, rule: str, message: str) -> Finding:
    return Finding(rel, 1, 1, rule, message)


def load_library(root: Path, bib: Bibliography, memory: Memory | None = None) -> Library:
    """The passages of every source text of the project (``bib``'s keys). With a
    ``memory``, a file read before with the same bytes is not read again (a PDF's text
    costs about 2 ms a page, its passages as much again)."""
    found, findings = candidates(root, bib)
    texts: dict[str, list[Passage]] = {}
    for key, path, rel in found:
        try:
            got = _passages(root, key, path, rel, memory)
        except Refused as exc:
            findings.append(_finding(rel, "source-file", f"source text '{rel}' {exc}"))
            continue
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            findings.append(_finding(rel, "source-file", f"cannot read '{rel}': {reason}"))
            continue
        texts.setdefault(key, []).extend(got)
    files = tuple(rel for _, _, rel in found)
    return Library({k: tuple(v) for k, v in texts.items()}, tuple(findings), files)


def _passages(root: Path, key: str, path: Path, rel: str, memory: Memory | None) -> list[Passage]:
    from briefgen.evidence.passages import passages

    suffix = path.suffix.lower()
    raw = read_inside(root, path, MAX_PDF_BYTES if suffix == ".pdf" else MAX_TEXT_BYTES)

    def read() -> list[Passage]:
        return passages(SourceText(key, rel, pages_of(raw, suffix)))

    if memory is None:
        return read()
    return memory.source_passages(f"{key}\0{rel}\0{sha256(raw)}", read)


def read_pages(root: Path, path: Path) -> tuple[Page, ...]:
    """A source file's pages. Raises Refused (with what is wrong) or OSError."""
    suffix = path.suffix.lower()
    raw = read_inside(root, path, MAX_PDF_BYTES if suffix == ".pdf" else MAX_TEXT_BYTES)
    return pages_of(raw, suffix)


def pages_of(raw: bytes, suffix: str) -> tuple[Page, ...]:
    """The pages of a source file's bytes (``suffix``: its type). Raises Refused."""
    if suffix == ".pdf":
        return pdf_pages(raw)
    try:
        text = decode_text(raw)
    except UnicodeDecodeError as exc:
        raise Refused(f"is not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    if suffix in (".html", ".htm"):
        text = html_text(text)
    return split_pages(text[:MAX_CHARS])


def split_pages(text: str) -> tuple[Page, ...]:
    """Pages of a text: ``<!-- page N -->`` starts page N, a form feed the next page."""
    marks = list(PAGE_MARK.finditer(text))
    if not marks and "\f" not in text:
        return (Page(None, text),)
    pages: list[Page] = []
    if marks:
        if text[: marks[0].start()].strip():
            pages.append(Page(None, text[: marks[0].start()]))
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            pages.append(Page(mark.group(1), text[mark.end() : end]))
        return tuple(pages)
    return tuple(Page(str(n), chunk) for n, chunk in enumerate(text.split("\f"), start=1))


def pdf_pages(raw: bytes) -> tuple[Page, ...]:
    """A PDF's pages with their labels (PDFium, through pypdfium2: about 2 ms a page where
    pypdf takes 27). Raises Refused for a PDF it cannot read."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(raw)
    except pypdfium2.PdfiumError as exc:
        message = (
            "is encrypted: save a copy without a password"
            if "password" in str(exc).lower()
            else f"cannot be read as a PDF ({exc}): save it again"
        )
        raise Refused(message) from None
    try:
        count = len(document)
        if count > MAX_PDF_PAGES:
            raise Refused(f"has {count} pages, over the {MAX_PDF_PAGES} briefgen reads: split it")
        pages: list[Page] = []
        total = 0
        for index in range(count):
            text = _page_text(document, index)
            total += len(text)
            if total > MAX_CHARS:
                raise Refused(f"holds over {MAX_CHARS // 2**20} M characters of text: split it")
            label = document.get_page_label(index) or str(index + 1)
            pages.append(Page(label, text))
    finally:
        document.close()
    return tuple(pages)


def _page_text(document: Any, index: int) -> str:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text: str = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Text(HTMLParser):
    """HTML to text: the text of the page, a line per block, no script, style or template;
    ``<!-- page N -->`` comments kept as page marks."""

    SKIP = frozenset({"script", "style", "template", "noscript", "head", "svg", "iframe", "object"})
    BLOCK = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "tr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "section",
            "article",
            "blockquote",
            "pre",
            "table",
            "ul",
            "ol",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        if PAGE_MARK.fullmatch(f"<!--{data}-->"):
            self.parts.append(f"\n<!--{data}-->\n")


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
