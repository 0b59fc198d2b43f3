"""A draft's own reference list, and the reference map it lets ``briefgen import`` propose.

A draft written with numeric references often ends with their list::

    References
    [1] Europol (2020). Internet Organised Crime Threat Assessment (IOCTA) 2020.
    [2] ...

That list is not a section. :func:`find_reference_list` finds it: a heading named like a
reference list ("References", "Bibliography", "Sources", "Works cited", "Notes",
"Endnotes", optionally numbered or ending in a colon) after which every line is a numbered
entry (``[1]``, ``(1)``, ``1.``, ``1)``) or continues the one before; or, with no such
heading, two or more ``[n]`` entries closing the draft. :func:`propose_map` matches each
entry against the bibliography by the words of the entry's title, its first author's name
and its year. A match is only proposed, never used unseen: :func:`map_document` writes the
map for the editor to review, with each entry's text beside its key, and what matched
nothing or more than one entry as a comment saying so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen.bibliography import Entry, load_bibliography
from briefgen.errors import SourceError
from briefgen.files import write_atomic
from briefgen.importer.headings import heading_text, unwrap
from briefgen.model import Project
from briefgen.scan.locate import WORD_RE

_LIST_HEADINGS = frozenset(
    {
        "references",
        "reference list",
        "bibliography",
        "sources",
        "sources cited",
        "works cited",
        "notes",
        "endnotes",
        "notes and references",
    }
)
_HEADING_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)*\.?[ \t]+")
_ENTRY_RE = re.compile(r"^[ \t]*(?:\[(\d{1,4})\]|\((\d{1,4})\)|(\d{1,4})[.)])[ \t]+(\S.*)$")
_BRACKET_ENTRY_RE = re.compile(r"^[ \t]*\[(\d{1,4})\][ \t]+\S")
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_URL_RE = re.compile(r"https?://[^\s<>\"']+")
_LATEX_RE = re.compile(r"\\[A-Za-z]+|[{}]")
_STOP_WORDS = (  # words that name no work
    "a an and are as at be by de des der die for from in into is it its la le of on or the their "
    "to under with within"
)
_STOP = frozenset(_STOP_WORDS.split())

#: Share of a bibliography title's words an entry must hold to match it, and how far the
#: best entry must lead the next one; below either, the number is left for the editor.
MIN_TITLE = 0.6
MIN_LEAD = 0.1


@dataclass(frozen=True)
class ListedReference:
    number: int
    text: str  # the entry as written, its continuation lines joined by a space
    line: int  # 1-based line of the draft where it starts


@dataclass(frozen=True)
class ReferenceList:
    start: int  # 0-based index of its first line (the heading, or the first entry)
    entries: tuple[ListedReference, ...]


@dataclass(frozen=True)
class Proposal:
    reference: ListedReference
    key: str | None  # the entry proposed; None when nothing (or more than one) fits
    why: str  # what matched, or why nothing is proposed


def find_reference_list(lines: Sequence[str], start: int) -> ReferenceList | None:
    """The reference list closing the draft (``lines[start:]``), or None."""
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    for i in range(end - 1, start - 1, -1):
        if _is_list_heading(lines[i]):
            entries = _entries(lines, i + 1, end)
            return ReferenceList(i, entries) if entries else None
    first = end  # no heading: a closing run of [n] entries (and their continuations)
    for i in range(end - 1, start - 1, -1):
        if not lines[i].strip():
            break
        first = i
    if sum(1 for i in range(first, end) if _BRACKET_ENTRY_RE.match(lines[i])) < 2:
        return None
    if not _BRACKET_ENTRY_RE.match(lines[first]):
        return None
    entries = _entries(lines, first, end)
    return ReferenceList(first, entries) if entries else None


def _is_list_heading(line: str) -> bool:
    text = heading_text(line) or unwrap(line)
    text = _HEADING_NUMBER_RE.sub("", text).rstrip(":").strip().lower()
    return text in _LIST_HEADINGS


def _entries(lines: Sequence[str], begin: int, end: int) -> tuple[ListedReference, ...]:
    """Every entry of ``lines[begin:end]``; empty when a line there is neither an entry nor
    the continuation of one (the heading then named something else)."""
    found: list[tuple[int, list[str], int]] = []
    for i in range(begin, end):
        line = lines[i]
        match = _ENTRY_RE.match(line)
        if match is not None:
            number = next(g for g in match.groups()[:3] if g is not None)
            found.append((int(number), [match.group(4).strip()], i + 1))
        elif not line.strip():
            continue
        elif found:
            found[-1][1].append(line.strip())
        else:
            return ()
    return tuple(ListedReference(n, " ".join(parts), line) for n, parts, line in found)


def propose_map(
    references: Sequence[ListedReference], entries: Mapping[str, Entry]
) -> list[Proposal]:
    """For each listed reference, the bibliography entry it names, when exactly one fits."""
    profiles = {key: _Profile.of(entry) for key, entry in entries.items()}
    return [_propose(reference, profiles) for reference in references]


@dataclass(frozen=True)
class _Profile:
    title: frozenset[str]
    names: frozenset[str]  # the first author's (or organisation's) words
    year: str | None
    url: str | None

    @classmethod
    def of(cls, entry: Entry) -> _Profile:
        fields = entry.fields
        author = _plain(fields.get("author") or fields.get("editor") or "")
        first = author.split(" and ")[0]
        family = first.split(",")[0] if "," in first else first
        year = _YEAR_RE.search(fields.get("year") or fields.get("date") or "")
        url = (fields.get("url") or "").strip().rstrip("/").lower() or None
        return cls(
            frozenset(_words(_plain(fields.get("title", "")))),
            frozenset(_words(family)),
            year.group() if year else None,
            url,
        )


def _propose(reference: ListedReference, profiles: Mapping[str, _Profile]) -> Proposal:
    text = reference.text
    words = frozenset(_words(text))
    years = frozenset(_YEAR_RE.findall(text))
    urls = frozenset(u.rstrip(".,;)").rstrip("/").lower() for u in _URL_RE.findall(text))
    scored: list[tuple[float, str, str]] = []
    for key, profile in profiles.items():
        match = _score(profile, words, years, urls)
        if match is not None:
            scored.append((match[0], key, match[1]))
    scored.sort(key=lambda s: (-s[0], s[1]))
    if not scored:
        return Proposal(reference, None, "no entry of the bibliography matches")
    best = scored[0]
    if len(scored) > 1 and best[0] - scored[1][0] < MIN_LEAD:
        rivals = " or ".join(k for _, k, _ in scored[:3])
        return Proposal(reference, None, f"more than one entry matches ({rivals})")
    return Proposal(reference, best[1], best[2])


def _score(
    profile: _Profile, words: frozenset[str], years: frozenset[str], urls: frozenset[str]
) -> tuple[float, str] | None:
    """How well an entry's text fits a bibliography entry, and why; None when its title's
    words are not there."""
    if profile.url is not None and profile.url in urls:
        return 2.0, "same URL"
    if not profile.title:
        return None
    title = len(profile.title & words) / len(profile.title)
    if title < MIN_TITLE:
        return None
    score, why = title, [f"title {title:.2f}"]
    if profile.names and profile.names <= words:
        score, why = score + 0.15, [*why, "author"]
    if profile.year is not None and profile.year in years:
        score, why = score + 0.15, [*why, "year"]
    elif profile.year is not None and years:
        score -= 0.2  # the entry gives another year: a later edition, or another work
    return score, ", ".join(why)


def _plain(value: str) -> str:
    """A BibTeX value as words: braces and LaTeX commands gone, accents folded."""
    text = _LATEX_RE.sub("", value)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    plain = _plain(text).lower()
    return [w for w in WORD_RE.findall(plain) if w not in _STOP and (len(w) > 1 or w.isdigit())]


def map_document(draft: str, listed: ReferenceList, proposals: Sequence[Proposal]) -> str:
    """The proposed reference map as YAML for ``--refs``: one ``number: key`` line per
    match with the entry's text beside it, a comment for each number left open."""
    first, last = listed.entries[0].line, listed.entries[-1].line
    matched = sum(1 for p in proposals if p.key is not None)
    lines = [
        f"# Reference map proposed by 'briefgen import' from the reference list of {draft}",
        f"# (lines {first}-{last}): {matched} of {len(proposals)} entries matched an entry of",
        "# the bibliography by title, author and year. Review every line: a key is only a",
        "# guess until you have checked it. Numbers left as comments matched nothing (add the",
        "# source to the bibliography, then its key here) or more than one entry.",
        f"# Then run: briefgen import {draft} --refs <this file>",
        "",
    ]
    seen: set[int] = set()
    for proposal in proposals:
        reference = proposal.reference
        quoted = _comment(reference.text)
        if reference.number in seen:
            lines.append(f"# {reference.number}: ?  # the list numbers two entries so: {quoted}")
        elif proposal.key is not None:
            lines.append(f"{reference.number}: {proposal.key}  # {proposal.why}: {quoted}")
        else:
            lines.append(f"# {reference.number}: ?  # {proposal.why}: {quoted}")
        seen.add(reference.number)
    return "\n".join(lines) + "\n"


def _comment(text: str, limit: int = 160) -> str:
    """The entry's text fit for a one-line YAML comment."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def propose_reference_map(
    project: Project, draft: str, listed: ReferenceList, target: Path, force: bool
) -> int:
    """Match the draft's reference list against the project's bibliography and write the
    map it proposes to ``target``, for review. Returns how many entries matched."""
    config = project.config
    bib = load_bibliography(config.bibliography, project.rel(config.bibliography), project.root)
    proposals = propose_map(listed.entries, bib.entries)
    if target.exists() and not force:
        raise SourceError(target, 1, "file exists: use --force to overwrite it")
    try:
        write_atomic(target, map_document(draft, listed, proposals).encode("utf-8"))
    except OSError as exc:
        raise SourceError(target, 1, f"cannot write: {exc.strerror}") from None
    return sum(1 for p in proposals if p.key is not None)
