"""Run every check of a project (or of some briefs) and collect the findings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from briefgen.bibliography import Bibliography, load_bibliography
from briefgen.cache import CACHE_DIR, scan_cached
from briefgen.cache import enabled as cache_enabled
from briefgen.characters import invisible_findings, key_characters
from briefgen.findings import Finding, count, did_you_mean
from briefgen.gcpause import pausing
from briefgen.links import link_definition_findings
from briefgen.markup import markup_findings
from briefgen.model import (
    ALL_AUDIENCES,
    BRIEFS_DIR,
    CONFIG_FILE,
    SECTIONS_DIR,
    Brief,
    Project,
    Section,
)
from briefgen.readability import SyllableMemo, flesch_kincaid_grade
from briefgen.readability import preload as preload_dictionary
from briefgen.rules.audiences import unknown_audience
from briefgen.rules.markings import highest_marking, marking_problem, marking_rank, parse_marking
from briefgen.safety import language_findings, unsafe_findings
from briefgen.scan import (
    AUDIENCE_CLASS,
    AudienceBlock,
    FileScan,
    Progress,
    ScanInput,
    Sentence,
)
from briefgen.scan.locate import Locator


@dataclass(frozen=True)
class BriefStats:
    name: str
    audience: str
    marking: str  # highest marking among what the brief includes
    words: int  # body words after audience filtering (summary and references excluded)
    section_words: tuple[tuple[str, int], ...]  # per included section
    reading_grade: float | None  # Flesch-Kincaid grade of the included prose


@dataclass
class CheckResult:
    findings: list[Finding]
    sections: int
    bibliography: Bibliography
    scans: dict[str, FileScan]  # section id -> scan
    briefs: dict[str, BriefStats] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return count(self.findings, "error")

    @property
    def warnings(self) -> int:
        return count(self.findings, "warning")

    def summary(self, known: frozenset[str]) -> dict[str, int]:
        claims = cited = uncited = 0
        for scan in self.scans.values():
            for s in scan.sentences:
                if s.status == "claim":
                    claims += 1
                    if not s.keys:
                        uncited += 1
                    elif not known.isdisjoint(s.keys):
                        cited += 1
        return {
            "sections": self.sections,
            "claims": claims,
            "cited": cited,
            "uncited": uncited,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def included(sentence_blocks: Iterable[int], scan: FileScan, audiences: set[str] | None) -> bool:
    """Whether text inside these audience blocks reaches any of the audiences."""
    if audiences is None:
        return True
    blocks = [scan.blocks[i] for i in sentence_blocks]
    return any(all(b.admits(a) for b in blocks) for a in audiences)


@pausing
def check(
    project: Project,
    brief_names: Sequence[str] = (),
    use_cache: bool = True,
    readability: bool = True,
    progress: Progress | None = None,
    jobs: int | None = None,
    section_ids: Sequence[str] = (),
) -> CheckResult:
    """Check the whole project, or only what the named briefs include and the named
    sections (``section_ids``: checked for every audience, as in a whole check).

    ``readability=False`` skips the reading grade where no audience sets a reading_level
    (loading the hyphenation dictionary costs more than a warm check). ``jobs``: pandoc
    processes to parse with (default: one per core).
    """
    config = project.config
    bib = load_bibliography(config.bibliography, project.rel(config.bibliography), project.root)
    known = bib.keys
    findings: list[Finding] = list(bib.findings)

    briefs: list[Brief] = []
    broken: set[str] = set()  # briefs whose file exists but could not be loaded
    for name in brief_names:
        brief = project.briefs.get(name)
        if brief is not None:
            briefs.append(brief)
        elif any(f.file == f"{BRIEFS_DIR}/{name}.yaml" for f in project.findings):
            broken.add(f"{BRIEFS_DIR}/{name}.yaml")  # its findings say what is wrong
        else:
            raise_unknown_brief(project, name)
    for sid in section_ids:
        if sid not in project.sections and not (project.root / SECTIONS_DIR / f"{sid}.md").exists():
            raise_unknown_section(project, sid)
    whole = not brief_names and not section_ids

    if whole:
        sections = list(project.sections.values())
        findings.extend(project.findings)
        findings.extend(orphan_findings(project))
        audiences: set[str] | None = None
    else:
        wanted = {sid for b in briefs for sid in b.sections} | set(section_ids)
        sections = [s for s in project.sections.values() if s.id in wanted]
        # a wanted section that failed to load still has its findings reported
        rels = {s.rel for s in sections} | {b.rel for b in briefs} | broken
        rels |= {f"{SECTIONS_DIR}/{sid}.md" for sid in wanted} | {CONFIG_FILE}
        findings.extend(f for f in project.findings if f.file in rels)
        # a section named on its own is checked for every audience; briefs for their own
        audiences = {b.audience for b in briefs} if not section_ids else None

    inputs = [ScanInput(s.source, s.body_offset, s.summary, s.summary_offset) for s in sections]
    reported = list(project.briefs.values()) if whole else briefs  # with stats and findings
    memo = None
    if any(_grades(project, brief, readability) for brief in reported):
        memo = SyllableMemo(project.root / CACHE_DIR) if use_cache and cache_enabled() else None
        if memo is None or not memo.counts:
            preload_dictionary()  # loads while the scan waits on pandoc
    scans = dict(
        zip(
            (s.id for s in sections),
            scan_cached(project.root, inputs, use_cache, progress, jobs),
            strict=True,
        )
    )

    used: set[str] = set()
    for section in sections:
        scan = scans[section.id]
        findings.extend(_section_findings(project, section, scan, known, audiences))
        used.update(c.key for c in scan.citations)
    findings.extend(link_definition_findings(sections))
    if not bib.readable:  # every key would look unknown: the bib-file finding says why
        findings = [f for f in findings if f.rule != "unknown-key"]

    if whole:
        for key, entry in bib.entries.items():
            if key not in used:
                findings.append(
                    Finding(
                        bib.rel,
                        entry.line,
                        1,
                        "unused-reference",
                        f"entry '{key}' is cited by no section: cite it or remove it",
                    )
                )

    result = CheckResult([], len(sections), bib, scans)
    for brief in reported:
        stats, problems = _brief_findings(project, brief, scans, readability, memo)
        if stats is not None:
            result.briefs[brief.name] = stats
        findings.extend(problems)

    if memo is not None:
        memo.save()
    result.findings = sorted(findings)
    return result


def orphan_findings(project: Project) -> list[Finding]:
    """A section no brief includes reaches no reader, and a check of the briefs would
    never look at it: say so, once the project has briefs."""
    files = (f.file for f in project.findings)
    broken = any(f.startswith(f"{BRIEFS_DIR}/") and f.endswith(".yaml") for f in files)
    if not project.briefs or broken:
        return []  # no brief yet to add it to, or a brief whose sections are not known
    used = {sid for brief in project.briefs.values() for sid in brief.sections}
    example = min(project.briefs.values(), key=lambda b: b.name, default=None)
    where = f" ({example.rel})" if example is not None else ""
    return [
        Finding(
            section.rel,
            1,
            1,
            "orphan-section",
            f"section '{sid}' is in no brief, so no reader sees it: add it to a brief's "
            f"sections:{where}",
            sid,
        )
        for sid, section in sorted(project.sections.items())
        if sid not in used
    ]


def raise_unknown_section(project: Project, sid: str) -> None:
    from briefgen.errors import ConfigError

    hint = did_you_mean(sid, project.sections)
    raise ConfigError(f"unknown section '{sid}'{hint}: sections are the files in {SECTIONS_DIR}/")


def raise_unknown_brief(project: Project, name: str) -> None:
    from briefgen.errors import ConfigError

    hint = did_you_mean(name, project.briefs)
    available = ", ".join(sorted(project.briefs)) or "none"
    raise ConfigError(f"unknown brief '{name}'{hint}: briefs are {available}")


def _section_findings(
    project: Project,
    section: Section,
    scan: FileScan,
    known: frozenset[str],
    audiences: set[str] | None,
) -> list[Finding]:
    rel = section.rel
    out: list[Finding] = []
    if scan.error is not None:
        return [Finding(rel, scan.error_line, 1, "section-file", scan.error)]

    for sentence in scan.sentences:
        if sentence.status != "claim" or sentence.keys:
            continue
        if not included(sentence.blocks, scan, audiences):
            continue
        out.append(uncited_finding(rel, sentence))
    invisible, broken = invisible_findings(rel, section.source)
    out.extend(invisible)
    for use in scan.citations:
        if use.key not in known and (use.line, use.column) not in broken:
            hint = key_characters(use.key, known) or did_you_mean(use.key, known)
            out.append(
                Finding(
                    rel,
                    use.line,
                    use.column,
                    "unknown-key",
                    f"unknown citation key '{use.key}'{hint}: "
                    "add the entry to the bibliography or correct the key",
                    f"@{use.key}",
                )
            )
    out.extend(_audience_block_findings(rel, scan, tuple(project.config.audiences)))
    if not project.config.allow_raw:
        for raw in scan.raw:
            out.append(
                Finding(
                    rel,
                    raw.line,
                    raw.column,
                    "raw-content",
                    f"raw {raw.format} is not allowed in sections: write pandoc Markdown, "
                    "or set allow_raw: true in briefgen.yaml",
                )
            )
    out.extend(markup_findings(rel, scan))
    out.extend(unsafe_findings(rel, scan, project.root))
    out.extend(language_findings(rel, section.source, section.body_offset))
    out.extend(terminology_findings(project, section))
    return out


def _audience_block_findings(rel: str, scan: FileScan, defined: tuple[str, ...]) -> list[Finding]:
    """Audience blocks (``::: {.audience only=... marking=...}``) that name no audience, an
    audience briefgen.yaml does not define, or a marking briefgen cannot read."""
    out: list[Finding] = []
    # an only= naming nobody: the build's filter shows the block to no audience at all
    with_only = {
        m.line
        for m in scan.markup
        if m.element == "div" and AUDIENCE_CLASS in m.classes and "only" in m.attributes
    }
    for block in scan.blocks:
        if not block.only and block.line in with_only:
            out.append(
                Finding(
                    rel,
                    block.line,
                    1,
                    "audience-block",
                    'an empty only="": leave it out to show the block to every audience, or '
                    "name the audiences",
                )
            )
        elif not block.only and not block.exclude:
            out.append(
                Finding(
                    rel,
                    block.line,
                    1,
                    "audience-block",
                    'audience block names no audience: add only="..." or except="..."',
                )
            )
        for name in (*block.only, *block.exclude):
            if name not in defined:
                out.append(unknown_audience(rel, block.line, name, defined))
        if block.marking is not None and parse_marking(block.marking) is None:
            out.append(
                Finding(rel, block.line, 1, "audience-block", marking_problem(block.marking))
            )
    return out


def uncited_finding(rel: str, sentence: Sentence) -> Finding:
    """A claim with no citation, or with none on one side of a boundary we cannot be sure
    of (see briefgen.scan.sentences)."""
    where = {"summary": " in summary", "footnote": " in footnote"}.get(sentence.where, "")
    if sentence.doubt:
        abbreviation = sentence.doubt
        return Finding(
            rel,
            sentence.line,
            sentence.column,
            "ambiguous-boundary",
            f"cannot tell whether the full stop of '{abbreviation}' ends a sentence, and the "
            f"text on one side has no citation: cite it, or write '{abbreviation}\\ ' "
            "(backslash, space) to keep one sentence",
            sentence.text,
        )
    return Finding(
        rel,
        sentence.line,
        sentence.column,
        "uncited-claim",
        f"claim{where} has no citation: cite a source ([@key]), or put analysis in a "
        "::: judgment block",
        sentence.text,
    )


def _term_body(avoid: str) -> str:
    """The term's words, any whitespace (line breaks too) between them."""
    return r"\s+".join(re.escape(w) for w in avoid.split())


@lru_cache(maxsize=256)
def _term_pattern(avoid: str) -> re.Pattern[str]:
    """Whole words, case-insensitive."""
    return re.compile(r"(?<![^\W_])" + _term_body(avoid) + r"(?![^\W_])", re.IGNORECASE)


@lru_cache(maxsize=16)
def _any_term(avoid: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every rule, without the word-boundary checks (so it finds a superset,
    three times faster): most files use none of the terms, and one search tells."""
    return re.compile("|".join(map(_term_body, avoid)), re.IGNORECASE)


def terminology_findings(project: Project, section: Section) -> list[Finding]:
    out: list[Finding] = []
    locator: Locator | None = None
    rules = project.config.terminology
    if not rules or not _any_term(tuple(r.avoid for r in rules)).search(section.source):
        return out
    for rule in rules:
        for match in _term_pattern(rule.avoid).finditer(section.source):
            locator = locator or Locator(section.source)
            line, column = locator.position(match.start())
            out.append(
                Finding(
                    section.rel,
                    line,
                    column,
                    "terminology",
                    f"'{' '.join(match.group(0).split())}' is discouraged: use '{rule.prefer}'",
                    match.group(0),
                )
            )
    return out


def marking_sources(
    section: Section, blocks: Iterable[AudienceBlock], audience: str
) -> list[tuple[str, str]]:
    """What marks a section for an audience, as (where, marking): its front matter, and
    each audience block that audience sees which carries a valid marking= of its own."""
    parts = [(section.rel, section.marking)]
    for block in blocks:
        block_marking = parse_marking(block.marking) if block.marking else None
        if block_marking and block.admits(audience):
            parts.append((f"{section.rel}:{block.line}", block_marking))
    return parts


def _grades(project: Project, brief: Brief, readability: bool) -> bool:
    """Whether the check computes the brief's reading grade: when asked to, or when its
    audience sets a reading_level to hold it to."""
    audience = project.config.audiences.get(brief.audience)
    return audience is not None and (readability or audience.reading_level is not None)


def _brief_findings(
    project: Project,
    brief: Brief,
    scans: dict[str, FileScan],
    readability: bool = True,
    memo: SyllableMemo | None = None,
) -> tuple[BriefStats | None, list[Finding]]:
    out: list[Finding] = []
    audience = project.config.audiences.get(brief.audience)
    if audience is None:
        return None, out  # reported by the loader as unknown-audience
    marking = "TLP:CLEAR"
    responsible: list[tuple[str, str]] = []  # (what, marking)
    section_words: list[tuple[str, int]] = []
    for sid, line in zip(brief.sections, brief.section_lines, strict=True):
        section = project.sections.get(sid)
        scan = scans.get(sid)
        if section is None or scan is None:
            continue
        if ALL_AUDIENCES not in section.audiences and brief.audience not in section.audiences:
            out.append(
                Finding(
                    brief.rel,
                    line,
                    1,
                    "audience-excluded",
                    f"section '{sid}' is not for audience '{brief.audience}' "
                    f"(its audiences: {', '.join(section.audiences)}): remove it from the brief "
                    "or add the audience to the section's front matter",
                )
            )
        parts = marking_sources(section, scan.blocks, brief.audience)
        responsible.extend(parts)
        marking = highest_marking([marking, *(m for _, m in parts)])
        words = sum(
            n
            for blocks, n in scan.words
            if all(scan.blocks[i].admits(brief.audience) for i in blocks)
        )
        section_words.append((sid, words))
    if marking_rank(marking) > marking_rank(audience.max_marking):
        over = [
            what for what, m in responsible if marking_rank(m) > marking_rank(audience.max_marking)
        ]
        out.append(
            Finding(
                brief.rel,
                brief.audience_line,
                1,
                "marking-exceeds-audience",
                f"brief is {marking} but audience '{audience.name}' is cleared to "
                f"{audience.max_marking}: {', '.join(over)} above the ceiling; take that "
                "text out of the brief, or brief an audience cleared for it",
            )
        )
    sentences = [
        s.text
        for sid in brief.sections
        if (scan := scans.get(sid)) is not None
        for s in scan.sentences
        if s.where != "summary" and included(s.blocks, scan, {brief.audience})
    ]
    graded = _grades(project, brief, readability)
    grade = flesch_kincaid_grade(sentences, memo) if graded else None
    if audience.reading_level is not None and grade is not None and grade > audience.reading_level:
        out.append(
            Finding(
                brief.rel,
                brief.audience_line,
                1,
                "reading-level",
                f"brief reads at Flesch-Kincaid grade {grade:.1f}, above the "
                f"{audience.reading_level:g} set for '{audience.name}': shorten sentences "
                "and prefer plain words",
            )
        )
    total = sum(n for _, n in section_words)
    if audience.word_budget is not None and total > audience.word_budget:
        largest = sorted(section_words, key=lambda p: -p[1])[:3]
        out.append(
            Finding(
                brief.rel,
                1,
                1,
                "word-budget",
                f"brief has {total} words, over the {audience.word_budget}-word budget for "
                f"'{audience.name}'; largest sections: "
                + ", ".join(f"{sid} ({n})" for sid, n in largest)
                + ": shorten them or leave one out",
            )
        )
    stats = BriefStats(brief.name, brief.audience, marking, total, tuple(section_words), grade)
    return stats, out
