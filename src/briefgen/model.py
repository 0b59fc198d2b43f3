"""The model a loaded project becomes: frozen dataclasses and the names of its files.

Loading (``briefgen.load``) builds these from ``briefgen.yaml``, briefs and section files;
every later stage reads them and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.findings import Finding

CONFIG_FILE = "briefgen.yaml"
# About 170,000 words: far beyond any briefing section, and it keeps a check quick (and its
# memory bounded) whatever lands in the sections directory.
MAX_SECTION_BYTES = 2**20
# Far beyond any briefing project's library (10,000 entries take about 5 MB): a bound on
# what the check, a build's key and citeproc read, whatever the file has become.
MAX_BIBLIOGRAPHY_BYTES = 32 * 2**20
BRIEFS_DIR = "briefs"
SECTIONS_DIR = "briefs/sections"

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A language tag typst takes (a two- or three-letter language, then subtags): lang: in
# briefgen.yaml, and lang= on a section's div or span (``english`` fails the PDF).
LANGUAGE_TAG_RE = re.compile(r"[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*")
ALL_AUDIENCES = "all"
# The dates a build can stamp on its outputs (a brief's date:, SOURCE_DATE_EPOCH), tried
# with the bundled pandoc 3.9 and typst: pandoc's DOCX writer fails after 2107 (the ZIP
# format's last year) and writes a malformed date before the year 1000; SOURCE_DATE_EPOCH
# counts from 1970. Typst takes any year up to 9999.
OUTPUT_DATES = (dt.date(1970, 1, 1), dt.date(2107, 12, 31))
TEMPLATES = ("paper", "ministerial")


@dataclass(frozen=True)
class Audience:
    name: str
    label: str
    max_marking: str  # highest TLP marking a brief for this audience may carry
    word_budget: int | None  # body words, references excluded
    template: str  # "paper" or "ministerial"
    reading_level: float | None  # highest Flesch-Kincaid grade wanted
    marking_label: str | None = None  # shown in place of the TLP marking (the manifest keeps it)


@dataclass(frozen=True)
class TermRule:
    avoid: str
    prefer: str


@dataclass(frozen=True)
class Config:
    root: Path
    title: str
    organisation: str
    bibliography: Path
    csl: Path  # resolved path of the CSL style file
    csl_name: str  # as written in briefgen.yaml
    audiences: dict[str, Audience]
    terminology: tuple[TermRule, ...]
    stale_after_days: int | None
    allow_raw: bool
    lang: str
    templates: Path | None = None  # the project's own templates (code): only when opted in
    show_as_of: bool = False  # render a dated statement's as-of= date after its text
    require_source_text: bool = False  # a cited key without source text is a finding


@dataclass(frozen=True)
class Section:
    id: str  # the file stem
    path: Path
    rel: str  # project-relative POSIX path
    source: str  # the whole file, front matter included
    body_offset: int  # character offset where the body starts in ``source``
    title: str
    summary: str | None
    summary_offset: int | None  # offset of the summary text in ``source``
    marking: str
    audiences: tuple[str, ...]  # ("all",) or audience names
    owner: str | None
    reviewed: dt.date | None

    @property
    def body(self) -> str:
        return self.source[self.body_offset :]


@dataclass(frozen=True)
class Brief:
    name: str
    path: Path
    rel: str
    title: str
    subtitle: str | None
    short_title: str | None  # the PDF footer's title; None: the title, cut to fit
    audience: str
    date: dt.date | None
    purpose: str | None
    executive_summary: bool
    sections: tuple[str, ...]
    section_lines: tuple[int, ...]  # line of each entry of ``sections`` in the brief file
    audience_line: int


@dataclass(frozen=True)
class Project:
    root: Path
    config: Config
    sections: dict[str, Section]
    briefs: dict[str, Brief]
    findings: tuple[Finding, ...] = field(default=())  # problems met while loading

    def rel(self, path: Path) -> str:
        return relpath(self.root, path)


def relpath(root: Path, path: Path) -> str:
    if ".." not in path.parts:
        try:  # the common case, a file found under the (resolved) root: no system calls
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
