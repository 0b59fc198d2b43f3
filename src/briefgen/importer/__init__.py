"""Import a plain-text draft as section modules: ``briefgen import``.

A draft (a title line, then headings and paragraphs with numeric references ``[1] [2]``
and no bibliography) is split at its headings into one section module each. Numeric
references become pandoc citations through a reference map (number -> bibliography key);
numbers with no key are reported and left as written, so ``briefgen check`` flags the
sentence. Sentences with no reference at all are reported too: the editor's to-do list.

What counts as a heading (the first non-blank line is the document's title, never a
section):

- a Markdown heading (``# Title``);
- a numbered heading (``1. Title``, ``2.3. Title``): a short line (under 150 characters)
  with no final full stop and no reference, unless it is one of two or more numbered lines
  in a row (a list, kept as text);
- a title-like line (``Executive summary``): under 80 characters, starting with a capital
  or a digit, ending without punctuation, holding no reference, and followed by a line of
  paragraph text that does not start in lower case.

A draft with no blank lines (one paragraph a line, as chat tools write them) makes each
line a paragraph; a draft with blank lines keeps a paragraph's lines together (hard-wrapped
text), and a heading there must start its block. Text before the first heading becomes a
section titled "Introduction".

Ids: ``--prefix`` + ``-`` + a slug of the heading's main title (the part before a colon or
a spaced dash: "Technical opacity: encryption, ..." -> ``technical-opacity``), at most 40
characters cut at a word boundary, not ending on "the", "of", "and"; ``-2``, ``-3`` make ids
unique within the import.

References: adjacent ones make one group (``[1] [6]`` -> ``[@k1; @k6]``); ``[1, 4]``,
``[1][2]`` and ranges ``[2-4]`` are read too. A group none of whose numbers has a key stays
exactly as written; in a group with some keys, the numbers without one follow the citation
as ``[n]`` (``[@k1] [5]``), visible to the editor. A sentence counts as uncited when it
holds no reference at all; one whose references all lack keys is in ``unmapped`` instead
(and the checker flags it too).

Front matter: ``title``, ``marking: TLP:CLEAR``, ``audiences: [all]`` and ``reviewed``
(the injected ``today``). There is no ``summary``: a summary is the editor's précis of the
section, and copying its first sentence would only put that claim in the brief twice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from briefgen.errors import ConfigError, SourceError
from briefgen.files import write_atomic
from briefgen.importer.headings import heading_text, split_parts, unwrap
from briefgen.importer.references import convert_paragraph
from briefgen.importer.refmap import load_ref_map
from briefgen.model import ID_RE
from briefgen.rules.markings import LOWEST

__all__ = ["ImportReport", "ImportedSection", "convert_draft", "load_ref_map", "slugify"]
__all__ += ["write_sections"]

MARKING = LOWEST
SLUG_LIMIT = 40  # characters of a slug (the --prefix comes on top)

_SUBTITLE_RE = re.compile(r":|\s[—–-]\s")  # "Main title: subtitle", "Main — subtitle"
# a cut slug should not end on these: the-rational-choice-theory-vs-the
_DANGLING_RE = re.compile(r"-(?:a|an|and|as|at|by|for|from|in|into|of|on|or|the|to|vs|with)$")


@dataclass(frozen=True)
class ImportedSection:
    id: str
    title: str
    markdown: str  # the whole file: front matter + body
    line: int  # draft line of its heading (1-based)


@dataclass(frozen=True)
class ImportReport:
    title: str  # the draft's first line
    sections: tuple[ImportedSection, ...]
    unmapped: tuple[tuple[int, tuple[int, ...]], ...]  # (reference number, draft lines) with no key
    uncited: tuple[tuple[int, str], ...]  # (draft line, sentence) with no reference


def convert_draft(text: str, refs: dict[int, str], prefix: str | None, today: date) -> ImportReport:
    """Split a draft into section modules and convert its numeric references."""
    if prefix is not None and not ID_RE.match(prefix):
        raise ConfigError(f"invalid --prefix '{prefix}': use lowercase letters, digits and '-'")
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise ConfigError("the draft is empty: nothing to import")
    title = heading_text(lines[start]) or unwrap(lines[start])
    parts = split_parts(lines, start + 1)
    if not parts:
        raise ConfigError("the draft has nothing after its title line: nothing to import")

    unmapped: dict[int, set[int]] = {}
    uncited: list[tuple[int, str]] = []
    sections: list[ImportedSection] = []
    used: set[str] = set()
    for part in parts:
        section_id = _unique(_section_id(part.title, prefix), used)
        body = [convert_paragraph(p, refs, unmapped, uncited) for p in part.paragraphs]
        sections.append(
            ImportedSection(section_id, part.title, _module(part.title, body, today), part.line)
        )
    return ImportReport(
        title=title,
        sections=tuple(sections),
        unmapped=tuple((n, tuple(sorted(unmapped[n]))) for n in sorted(unmapped)),
        uncited=tuple(uncited),
    )


def slugify(text: str, limit: int = SLUG_LIMIT) -> str:
    """Lowercase ASCII words joined by '-', cut at a word boundary within ``limit``."""
    decomposed = unicodedata.normalize("NFKD", re.sub(r"['’]", "", text.lower()))
    plain = "".join(c for c in decomposed.replace("ß", "ss") if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", plain)  # any other character (dash, symbol) separates words
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > limit:
            break
        slug = longer
    if not slug and words:
        slug = words[0][:limit]
    while match := _DANGLING_RE.search(slug):
        slug = slug[: match.start()]
    return slug or "section"


def _section_id(title: str, prefix: str | None) -> str:
    # "Technical opacity: encryption, ..." -> technical-opacity: the main title names it
    main = _SUBTITLE_RE.split(title, maxsplit=1)[0]
    slug = slugify(main if re.search(r"[A-Za-z0-9]", main) else title)
    return f"{prefix}-{slug}" if prefix else slug


def _unique(section_id: str, used: set[str]) -> str:
    candidate, n = section_id, 1
    while candidate in used:
        n += 1
        candidate = f"{section_id}-{n}"
    used.add(candidate)
    return candidate


def _module(title: str, body: list[str], today: date) -> str:
    front = yaml.safe_dump(
        {"title": title, "marking": MARKING, "audiences": ["all"], "reviewed": today},
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=1000,
    )
    text = f"---\n{front}---\n"
    if body:
        text += "\n" + "\n\n".join(body) + "\n"
    return text


def write_sections(report: ImportReport, sections_dir: Path, force: bool) -> list[Path]:
    """Write each section to ``sections_dir/<id>.md``: all of them, or (no force) none."""
    paths = [sections_dir / f"{s.id}.md" for s in report.sections]
    for path in paths:
        if path.is_dir():
            raise SourceError(path, 1, "is a directory: move it away or import with --prefix")
    if not force:
        existing = [p for p in paths if p.exists()]
        if existing:
            more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
            raise SourceError(
                existing[0], 1, f"section file exists{more}: use --force to overwrite"
            )
    for path, section in zip(paths, report.sections, strict=True):
        try:
            write_atomic(path, section.markdown.encode("utf-8"))
        except OSError as exc:
            raise SourceError(path, 1, f"cannot write: {exc.strerror}") from None
    return paths
