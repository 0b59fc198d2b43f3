"""Run every check of a project (or of some briefs) and collect the findings."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NoReturn

from briefgen.bibliography import Bibliography, project_bibliography
from briefgen.brief_findings import BriefStats, brief_findings, grades
from briefgen.characters import invisible_findings, key_characters
from briefgen.dated import dated_findings
from briefgen.evidence.engine import Evidence, assess
from briefgen.figures import cross_reference_findings
from briefgen.findings import Finding, count, did_you_mean
from briefgen.links import link_definition_findings
from briefgen.markup import markup_findings
from briefgen.memory import Memory, Syllables
from briefgen.model import (
    BRIEFS_DIR,
    CONFIG_FILE,
    SECTIONS_DIR,
    Brief,
    Project,
    Section,
)
from briefgen.readability import load_dictionary
from briefgen.rules.audiences import included, unknown_audience
from briefgen.rules.markings import marking_problem, parse_marking
from briefgen.safety import language_findings, unsafe_findings
from briefgen.scan import (
    AUDIENCE_CLASS,
    FileScan,
    Progress,
    ScanInput,
    Sentence,
)
from briefgen.terminology import terminology_findings


@dataclass
class CheckResult:
    findings: list[Finding]
    sections: int
    bibliography: Bibliography
    scans: dict[str, FileScan]  # section id -> scan
    briefs: dict[str, BriefStats] = field(default_factory=dict)
    evidence: Evidence = field(default_factory=Evidence)  # per claim: its sources' passages

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


def check(
    project: Project,
    brief_names: Sequence[str] = (),
    memory: Memory | None = None,
    readability: bool = True,
    progress: Progress | None = None,
    jobs: int | None = None,
    section_ids: Sequence[str] = (),
    today: dt.date | None = None,
) -> CheckResult:
    """Check the whole project, or only what the named briefs include and the named
    sections (``section_ids``: checked for every audience, as in a whole check).

    ``readability=False`` skips the reading grade where no audience sets a reading_level
    (loading the hyphenation dictionary costs more than a warm check). ``jobs``: pandoc
    processes to parse with (default: one per core). ``memory``: what the scans and
    syllable counts may reuse (briefgen.memory); None, the default, for nothing. ``today``:
    the day dated statements are held to where no brief's date: says (briefgen.dated).
    """
    bib = project_bibliography(project)
    briefs, broken = _named_briefs(project, brief_names, section_ids)
    whole = not brief_names and not section_ids
    sections, loaded, audiences = _scope(project, briefs, broken, section_ids, whole)
    findings: list[Finding] = [*bib.findings, *loaded]

    inputs = [ScanInput(s.source, s.body_offset, s.summary, s.summary_offset) for s in sections]
    reported = list(project.briefs.values()) if whole else briefs  # with stats and findings
    memo = None
    loader: threading.Thread | None = None
    if any(grades(project, brief, readability) for brief in reported):
        memo = memory.syllables() if memory is not None else None
        if memo is None or not memo.counts:
            loader = threading.Thread(target=_load_dictionary, name="hyphenation-dictionary")
            loader.start()  # loads while the scan waits on pandoc; joined below
    scans = dict(zip((s.id for s in sections), _scan(memory, inputs, progress, jobs), strict=True))
    if loader is not None:
        loader.join()

    content, used = _content_findings(project, sections, scans, bib, audiences)
    findings.extend(content)
    findings.extend(dated_findings(project, sections, scans, briefs, section_ids, today))
    evidence = assess(project, sections, scans, bib, audiences, memory=memory)
    findings.extend(evidence.findings)

    if whole:
        findings.extend(_unused_references(bib, used))

    stats, problems = _brief_results(project, reported, scans, readability, memo)
    findings.extend(problems)
    result = CheckResult([], len(sections), bib, scans, stats, evidence)

    if memo is not None:
        memo.save()
    result.findings = sorted(findings)
    return result


def _scan(
    memory: Memory | None, inputs: list[ScanInput], progress: Progress | None, jobs: int | None
) -> list[FileScan]:
    """Every section scanned: through the memory when there is one."""
    if memory is not None:
        return memory.scan(inputs, progress, jobs)
    from briefgen.scan import scan_files

    return scan_files(inputs, jobs, progress)


def _brief_results(
    project: Project,
    reported: list[Brief],
    scans: dict[str, FileScan],
    readability: bool,
    memo: Syllables | None,
) -> tuple[dict[str, BriefStats], list[Finding]]:
    """Each reported brief's figures (by name) and the findings about the briefs."""
    count = memo.count if memo is not None else None
    stats: dict[str, BriefStats] = {}
    findings: list[Finding] = []
    for brief in reported:
        figures, problems = brief_findings(project, brief, scans, readability, count)
        if figures is not None:
            stats[brief.name] = figures
        findings.extend(problems)
    return stats, findings


def _content_findings(
    project: Project,
    sections: list[Section],
    scans: dict[str, FileScan],
    bib: Bibliography,
    audiences: set[str] | None,
) -> tuple[list[Finding], set[str]]:
    """The findings about the sections' content, and the citation keys they use."""
    findings: list[Finding] = []
    used: set[str] = set()
    for section in sections:
        scan = scans[section.id]
        findings.extend(_section_findings(project, section, scan, bib.keys, audiences))
        used.update(c.key for c in scan.citations)
    findings.extend(link_definition_findings(sections))
    findings.extend(cross_reference_findings(project, sections, scans))
    if not bib.readable:  # every key would look unknown: the bib-file finding says why
        findings = [f for f in findings if f.rule != "unknown-key"]
    return findings, used


def _named_briefs(
    project: Project, brief_names: Sequence[str], section_ids: Sequence[str]
) -> tuple[list[Brief], set[str]]:
    """The briefs named, and the named ones whose file exists but could not be loaded (its
    findings say what is wrong); raises ConfigError for an unknown brief or section."""
    briefs: list[Brief] = []
    broken: set[str] = set()
    for name in brief_names:
        brief = project.briefs.get(name)
        if brief is not None:
            briefs.append(brief)
        elif any(f.file == f"{BRIEFS_DIR}/{name}.yaml" for f in project.findings):
            broken.add(f"{BRIEFS_DIR}/{name}.yaml")
        else:
            raise_unknown_brief(project, name)
    for sid in section_ids:
        if sid not in project.sections and not (project.root / SECTIONS_DIR / f"{sid}.md").exists():
            raise_unknown_section(project, sid)
    return briefs, broken


def _scope(
    project: Project,
    briefs: list[Brief],
    broken: set[str],
    section_ids: Sequence[str],
    whole: bool,
) -> tuple[list[Section], list[Finding], set[str] | None]:
    """What a check covers: the sections to scan, the loader's findings about what it
    covers, and the audiences to check claims for (None: every audience)."""
    if whole:
        return list(project.sections.values()), [*project.findings, *orphan_findings(project)], None
    wanted = {sid for b in briefs for sid in b.sections} | set(section_ids)
    sections = [s for s in project.sections.values() if s.id in wanted]
    # a wanted section that failed to load still has its findings reported
    rels = {s.rel for s in sections} | {b.rel for b in briefs} | broken
    rels |= {f"{SECTIONS_DIR}/{sid}.md" for sid in wanted} | {CONFIG_FILE}
    loaded = [f for f in project.findings if f.file in rels]
    # a section named on its own is checked for every audience; briefs for their own
    audiences = {b.audience for b in briefs} if not section_ids else None
    return sections, loaded, audiences


def _unused_references(bib: Bibliography, used: set[str]) -> list[Finding]:
    return [
        Finding(
            bib.rel,
            entry.line,
            1,
            "unused-reference",
            f"entry '{key}' is cited by no section: cite it or remove it",
        )
        for key, entry in bib.entries.items()
        if key not in used
    ]


def _load_dictionary() -> None:
    """:func:`load_dictionary` on the check's loader thread. A failure (pyphen missing) is
    raised again, on the check's own thread, by the first syllable count."""
    with contextlib.suppress(Exception):
        load_dictionary()


def orphan_findings(project: Project) -> list[Finding]:
    """A section no brief includes reaches no reader, and a check of the briefs would
    never look at it: say so, once the project has briefs."""
    files = (f.file for f in project.findings if f.severity == "error")
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


def raise_unknown_section(project: Project, sid: str) -> NoReturn:
    from briefgen.errors import ConfigError

    hint = did_you_mean(sid, project.sections)
    raise ConfigError(f"unknown section '{sid}'{hint}: sections are the files in {SECTIONS_DIR}/")


def raise_unknown_brief(project: Project, name: str) -> NoReturn:
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
