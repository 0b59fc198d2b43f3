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
from briefgen.files import read_text, write_atomic
from briefgen.load.yaml import load_yaml, yaml_error_line
from briefgen.model import ID_RE
from briefgen.scan.sentences import split_sentences

MARKING = "TLP:CLEAR"
SLUG_LIMIT = 40  # characters of a slug (the --prefix comes on top)
INTRODUCTION = "Introduction"  # title of the text standing before the first heading

_NUMBERED_MAX = 150
_TITLE_LIKE_MAX = 80

_MD_HEADING_RE = re.compile(r"^#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_NUMBERED_RE = re.compile(r"^\d+(?:\.\d+)*\.[ \t]+(\S.*)$")
_FENCE_RE = re.compile(r"^[ \t]*(```|~~~)")
_EMPHASIS_RE = re.compile(r"^(\*\*|__)(.+)\1$")
_REF = r"\[[ \t]*\d+(?:[ \t]*[-–,;][ \t]*\d+)*[ \t]*\]"
_REF_RE = re.compile(_REF)
_REF_RUN_RE = re.compile(rf"{_REF}(?:\s*{_REF})*(?!\()")  # adjacent references: one group
_ITEM_RE = re.compile(r"(\d+)(?:[ \t]*[-–][ \t]*(\d+))?")
_RANGE_MAX = 50  # [3-7] is a range; [3-2000] is not, it is two numbers
_SUBTITLE_RE = re.compile(r":|\s[—–-]\s")  # "Main title: subtitle", "Main — subtitle"
_KEY_RE = re.compile(r"^[A-Za-z0-9_][\w:.#$%&+?<>~/-]*$")  # a pandoc citation key
_LETTER_RE = re.compile(r"[^\W\d_]")
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


@dataclass(frozen=True)
class _Paragraph:
    line: int  # draft line of its first line
    text: str  # its lines, joined with "\n"


@dataclass
class _Part:
    title: str
    line: int
    paragraphs: list[_Paragraph]


# --------------------------------------------------------------------------- reference map


def load_ref_map(path: Path) -> dict[int, str]:
    """Read a YAML mapping of reference numbers to bibliography keys (``1: europol2020iocta``)."""
    try:
        text = read_text(path)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}:1: not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the reference map: {exc.strerror}") from None
    try:
        _, node = load_yaml(text, plain=False)
    except yaml.YAMLError as exc:
        line, message = yaml_error_line(exc)
        raise ConfigError(f"{path}:{line}: {message}") from None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(
            f"{path}:{int(node.start_mark.line) + 1}: expected a mapping of reference numbers "
            "to bibliography keys (1: europol2020iocta)"
        )

    refs: dict[int, str] = {}
    seen: dict[int, int] = {}  # number -> line of its first mapping
    problems: list[tuple[int, str]] = []
    for key, value in node.value:
        line = int(key.start_mark.line) + 1
        raw = key.value if isinstance(key, yaml.ScalarNode) else None
        if raw is None or not re.fullmatch(r"\d+", raw) or int(raw) == 0:
            shown = raw if raw is not None else "(a collection)"
            problems.append(
                (
                    line,
                    f"'{shown}' is not a reference number: write the draft's number, "
                    "as in 1: europol2020iocta",
                )
            )
            continue
        number = int(raw)
        if number in seen:
            problems.append(
                (
                    line,
                    f"reference {number} is mapped twice (first on line {seen[number]}): keep one",
                )
            )
            continue
        seen[number] = line
        value_line = int(value.start_mark.line) + 1
        if not isinstance(value, yaml.ScalarNode):
            problems.append(
                (value_line, f"reference {number}: give one bibliography key, not a collection")
            )
            continue
        if value.tag == "tag:yaml.org,2002:null":
            problems.append((value_line, f"reference {number} has no key: give a bibliography key"))
            continue
        cite_key = value.value.strip().removeprefix("@")
        if not _KEY_RE.fullmatch(cite_key):
            problems.append(
                (
                    value_line,
                    f"reference {number}: '{value.value}' is not a bibliography key: "
                    "write the key as references.bib spells it",
                )
            )
            continue
        refs[number] = cite_key
    if problems:
        raise ConfigError("\n".join(f"{path}:{line}: {message}" for line, message in problems))
    return dict(sorted(refs.items()))


# --------------------------------------------------------------------------- conversion


def convert_draft(text: str, refs: dict[int, str], prefix: str | None, today: date) -> ImportReport:
    """Split a draft into section modules and convert its numeric references."""
    if prefix is not None and not ID_RE.match(prefix):
        raise ConfigError(f"invalid --prefix '{prefix}': use lowercase letters, digits and '-'")
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise ConfigError("the draft is empty: nothing to import")
    title = _heading_text(lines[start]) or _unwrap(lines[start])
    parts = _split(lines, start + 1)
    if not parts:
        raise ConfigError("the draft has nothing after its title line: nothing to import")

    unmapped: dict[int, set[int]] = {}
    uncited: list[tuple[int, str]] = []
    sections: list[ImportedSection] = []
    used: set[str] = set()
    for part in parts:
        section_id = _unique(_section_id(part.title, prefix), used)
        body = [_convert(p, refs, unmapped, uncited) for p in part.paragraphs]
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


def _heading_text(line: str) -> str | None:
    match = _MD_HEADING_RE.match(line.strip())
    return match.group(1).strip() if match else None


def _unwrap(line: str) -> str:
    """A line without surrounding whitespace and whole-line bold (``**1. Title**``)."""
    text = line.strip()
    match = _EMPHASIS_RE.match(text)
    return match.group(2).strip() if match else text


def _numbered(line: str) -> str | None:
    text = _unwrap(line)
    match = _NUMBERED_RE.match(text)
    if not match or len(text) >= _NUMBERED_MAX or text.endswith(".") or _REF_RE.search(text):
        return None
    return match.group(1).strip()


def _title_like(line: str) -> bool:
    text = _unwrap(line)
    return (
        0 < len(text) < _TITLE_LIKE_MAX
        and (text[0].isupper() or text[0].isdigit())
        and not text.endswith((".", ",", ";", ":", "!", "?", "…"))
        and not text.startswith(("- ", "* ", "+ ", ">", "|"))
        and not _REF_RE.search(text)
    )


def _split(lines: list[str], start: int) -> list[_Part]:
    """The draft after its title, as sections of paragraphs."""
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    first = next((i for i in range(start, end) if lines[i].strip()), end)
    per_line = all(line.strip() for line in lines[first:end])  # no blank line: a line a paragraph
    headings = _headings(lines, start, end, per_line)

    parts: list[_Part] = []
    paragraph: list[str] = []
    paragraph_line = 0
    in_fence = False

    def flush() -> None:
        if paragraph:
            if not parts:
                parts.append(_Part(INTRODUCTION, paragraph_line, []))
            parts[-1].paragraphs.append(_Paragraph(paragraph_line, "\n".join(paragraph)))
            paragraph.clear()

    for i in range(start, end):
        line = lines[i]
        if i in headings:
            flush()
            parts.append(_Part(headings[i], i + 1, []))
            continue
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        elif not line.strip() and not in_fence:
            flush()
            continue
        if not paragraph:
            paragraph_line = i + 1
        paragraph.append(line.rstrip())
        if per_line and not in_fence:
            flush()
    flush()
    return parts


def _headings(lines: list[str], start: int, end: int, per_line: bool) -> dict[int, str]:
    """Index of each heading line -> its title (number and '#' marks removed)."""
    width = max((len(line.strip()) for line in lines[start:end]), default=0)
    numbered: dict[int, str] = {}
    headings: dict[int, str] = {}
    in_fence = False
    for i in range(start, end):
        line = lines[i]
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or not line.strip():
            continue
        markdown = _heading_text(line)
        if markdown:
            headings[i] = markdown
            continue
        starts_block = per_line or i == start or not lines[i - 1].strip() or (i - 1) in headings
        if not starts_block:
            continue
        number_title = _numbered(line)
        if number_title:
            numbered[i] = number_title
            continue
        if not _title_like(line):
            continue
        nxt = next((j for j in range(i + 1, end) if lines[j].strip()), None)
        if nxt is None or _heading_text(lines[nxt]) or _numbered(lines[nxt]):
            continue
        following = lines[nxt].strip()
        if following[0].islower():
            continue  # the sentence goes on: a wrapped line, not a heading
        # followed by another short line standing alone: not followed by a paragraph
        alone = per_line or nxt + 1 >= end or not lines[nxt + 1].strip()
        if alone and _title_like(following):
            continue
        # hard-wrapped text: the first line of a paragraph is as wide as the others
        if not per_line and nxt == i + 1 and len(line.strip()) > 0.6 * width:
            continue
        headings[i] = _unwrap(line)
    # two or more numbered lines with nothing but blank lines between them: a list
    runs: list[list[int]] = []
    for i in sorted(numbered):
        if runs and all(not lines[k].strip() for k in range(runs[-1][-1] + 1, i)):
            runs[-1].append(i)
        else:
            runs.append([i])
    headings.update((run[0], numbered[run[0]]) for run in runs if len(run) == 1)
    return headings


def _numbers(reference: str) -> list[int]:
    numbers: list[int] = []
    for match in _ITEM_RE.finditer(reference):
        first, last = int(match.group(1)), match.group(2)
        if last is not None and 0 < int(last) - first <= _RANGE_MAX:
            numbers.extend(range(first, int(last) + 1))
        else:
            numbers.append(first)
            if last is not None:
                numbers.append(int(last))
    return numbers


def _convert(
    paragraph: _Paragraph,
    refs: dict[int, str],
    unmapped: dict[int, set[int]],
    uncited: list[tuple[int, str]],
) -> str:
    """The paragraph with its references converted; records what the editor must see to."""
    text = paragraph.text

    def line_at(offset: int) -> int:
        return paragraph.line + text.count("\n", 0, offset)

    runs = list(_REF_RUN_RE.finditer(text))
    pieces: list[str] = []
    last = 0
    for run in runs:
        keys: list[str] = []
        missing: list[int] = []
        for reference in _REF_RE.finditer(run.group()):
            for number in _numbers(reference.group()):
                key = refs.get(number)
                if key is None:
                    unmapped.setdefault(number, set()).add(line_at(run.start() + reference.start()))
                    if number not in missing:
                        missing.append(number)
                elif key not in keys:
                    keys.append(key)
        pieces.append(text[last : run.start()])
        if not keys:
            pieces.append(run.group())  # left as written: the checker flags the sentence
        else:
            group = "[" + "; ".join(f"@{k}" for k in keys) + "]"
            pieces.append(" ".join([group, *(f"[{n}]" for n in missing)]))
        last = run.end()
    pieces.append(text[last:])

    # a reference belongs to the sentence it stands in, or, standing at the start of a
    # sentence, to the one before it ("... rule. [1] Next"), as the checker sees it
    spans = split_sentences(text)
    referenced: set[int] = set()
    for run in runs:
        i = max((k for k, (s, _) in enumerate(spans) if s <= run.start()), default=0)
        if i > 0 and not text[spans[i][0] : run.start()].strip():
            i -= 1
        referenced.add(i)
    for i, (s, e) in enumerate(spans):
        if i in referenced:
            continue
        # the references of the sentence before may stand at its start: "[2] Next one."
        lead = re.match(rf"(?:\s|{_REF})*", text[s:e])
        start = s + (lead.end() if lead else 0)
        sentence = " ".join(text[start:e].split())
        if _LETTER_RE.search(sentence):
            uncited.append((line_at(start), sentence))
    return "".join(pieces)


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


# --------------------------------------------------------------------------- writing


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
