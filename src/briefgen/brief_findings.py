"""What the check finds about a brief as a whole: sections not meant for its audience, a
marking above the audience's ceiling, prose above its reading level, words over its budget;
and the brief's figures (marking, words, reading grade)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from briefgen.findings import Finding
from briefgen.model import ALL_AUDIENCES, Audience, Brief, Project, Section
from briefgen.readability import flesch_kincaid_grade
from briefgen.rules.audiences import included
from briefgen.rules.markings import LOWEST, highest_marking, marking_rank, parse_marking
from briefgen.scan import AudienceBlock, FileScan


@dataclass(frozen=True)
class BriefStats:
    name: str
    audience: str
    marking: str  # highest marking among what the brief includes
    words: int  # body words after audience filtering (summary and references excluded)
    section_words: tuple[tuple[str, int], ...]  # per included section
    reading_grade: float | None  # Flesch-Kincaid grade of the included prose


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


def grades(project: Project, brief: Brief, readability: bool) -> bool:
    """Whether the check computes the brief's reading grade: when asked to, or when its
    audience sets a reading_level to hold it to."""
    audience = project.config.audiences.get(brief.audience)
    return audience is not None and (readability or audience.reading_level is not None)


def brief_findings(
    project: Project,
    brief: Brief,
    scans: dict[str, FileScan],
    readability: bool = True,
    syllables: Callable[[str], int] | None = None,
) -> tuple[BriefStats | None, list[Finding]]:
    """The brief's figures (None for an unknown audience) and findings. ``syllables``: a
    word's syllables for the reading grade (the check passes its syllable memo's)."""
    out: list[Finding] = []
    audience = project.config.audiences.get(brief.audience)
    if audience is None:
        return None, out  # reported by the loader as unknown-audience
    marking = LOWEST
    responsible: list[tuple[str, str]] = []  # (what, marking)
    section_words: list[tuple[str, int]] = []
    for sid, line in zip(brief.sections, brief.section_lines, strict=True):
        section = project.sections.get(sid)
        scan = scans.get(sid)
        if section is None or scan is None:
            continue
        if ALL_AUDIENCES not in section.audiences and brief.audience not in section.audiences:
            out.append(_excluded(brief, sid, line, section))
        parts = marking_sources(section, scan.blocks, brief.audience)
        responsible.extend(parts)
        marking = highest_marking([marking, *(m for _, m in parts)])
        words = sum(
            n
            for blocks, n in scan.words
            if all(scan.blocks[i].admits(brief.audience) for i in blocks)
        )
        section_words.append((sid, words))
    out.extend(_over_ceiling(brief, audience, marking, responsible))
    grade = None
    if grades(project, brief, readability):
        grade = flesch_kincaid_grade(_sentences(brief, scans), syllables)
    out.extend(_over_reading_level(brief, audience, grade))
    out.extend(_over_budget(brief, audience, section_words))
    total = sum(n for _, n in section_words)
    stats = BriefStats(brief.name, brief.audience, marking, total, tuple(section_words), grade)
    return stats, out


def _excluded(brief: Brief, sid: str, line: int, section: Section) -> Finding:
    return Finding(
        brief.rel,
        line,
        1,
        "audience-excluded",
        f"section '{sid}' is not for audience '{brief.audience}' "
        f"(its audiences: {', '.join(section.audiences)}): remove it from the brief "
        "or add the audience to the section's front matter",
    )


def _over_ceiling(
    brief: Brief, audience: Audience, marking: str, responsible: list[tuple[str, str]]
) -> list[Finding]:
    if marking_rank(marking) <= marking_rank(audience.max_marking):
        return []
    over = [what for what, m in responsible if marking_rank(m) > marking_rank(audience.max_marking)]
    return [
        Finding(
            brief.rel,
            brief.audience_line,
            1,
            "marking-exceeds-audience",
            f"brief is {marking} but audience '{audience.name}' is cleared to "
            f"{audience.max_marking}: {', '.join(over)} above the ceiling; take that "
            "text out of the brief, or brief an audience cleared for it",
        )
    ]


def _sentences(brief: Brief, scans: dict[str, FileScan]) -> list[str]:
    """The text of the brief's body sentences its audience sees (summaries left out)."""
    return [
        s.text
        for sid in brief.sections
        if (scan := scans.get(sid)) is not None
        for s in scan.sentences
        if s.where != "summary" and included(s.blocks, scan, {brief.audience})
    ]


def _over_reading_level(brief: Brief, audience: Audience, grade: float | None) -> list[Finding]:
    if audience.reading_level is None or grade is None or grade <= audience.reading_level:
        return []
    return [
        Finding(
            brief.rel,
            brief.audience_line,
            1,
            "reading-level",
            f"brief reads at Flesch-Kincaid grade {grade:.1f}, above the "
            f"{audience.reading_level:g} set for '{audience.name}': shorten sentences "
            "and prefer plain words",
        )
    ]


def _over_budget(
    brief: Brief, audience: Audience, section_words: list[tuple[str, int]]
) -> list[Finding]:
    total = sum(n for _, n in section_words)
    if audience.word_budget is None or total <= audience.word_budget:
        return []
    largest = sorted(section_words, key=lambda p: -p[1])[:3]
    return [
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
    ]
