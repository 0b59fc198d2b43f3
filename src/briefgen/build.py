"""check -> assemble -> render for a set of briefs. Writes nothing when the check fails
(unless it is a draft build)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.assemble import DraftMark, assemble
from briefgen.check import check, included
from briefgen.claims import FileScan, Locator
from briefgen.errors import RenderError
from briefgen.files import ensure_writable, remove_stale_temporaries
from briefgen.findings import Finding
from briefgen.project import Brief, Project, Section
from briefgen.render import BuildOutput, build_brief

_WORD = re.compile(r"[^\W_]+")


@dataclass
class BuildOutcome:
    findings: list[Finding]
    summary: dict[str, int]
    built: list[BuildOutput] = field(default_factory=list)


def build_briefs(
    project: Project,
    names: Sequence[str],
    formats: Sequence[str],
    outdir: Path,
    draft: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildOutcome:
    result = check(project, names)
    outcome = BuildOutcome(result.findings, result.summary(result.bibliography.keys))
    if result.errors and not draft:
        return outcome
    try:
        ensure_writable(outdir)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RenderError(
            f"cannot write to {outdir}: {reason}; choose another directory with -o"
        ) from None
    remove_stale_temporaries(outdir)
    for name in names:
        brief = project.briefs[name]
        stats = result.briefs.get(name)
        if stats is None:
            continue
        marks = _draft_marks(project, brief, result.scans) if draft else None
        assembled = assemble(project, brief, stats.marking, marks)
        claims = brief_claims(brief, result.scans, result.bibliography.keys)
        built = build_brief(project, brief, assembled, formats, outdir, claims)
        outcome.built.append(built)
        if progress is not None:
            files = ", ".join(_show(p) for p in built.outputs.values())
            progress(f"{name}: {stats.marking}, {stats.words} words -> {files}")
    return outcome


def _show(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def brief_claims(brief: Brief, scans: dict[str, FileScan], known: frozenset[str]) -> dict[str, int]:
    claims = cited = uncited = 0
    for sid in brief.sections:
        scan = scans.get(sid)
        if scan is None:
            continue
        for s in scan.sentences:
            if s.status != "claim" or not included(s.blocks, scan, {brief.audience}):
                continue
            claims += 1
            cited += any(k in known for k in s.keys)
            uncited += not s.keys
    return {"claims": claims, "cited": cited, "uncited": uncited}


def _draft_marks(
    project: Project, brief: Brief, scans: dict[str, FileScan]
) -> dict[str, list[DraftMark]]:
    marks: dict[str, list[DraftMark]] = {}
    for sid in brief.sections:
        section, scan = project.sections.get(sid), scans.get(sid)
        if section is None or scan is None:
            continue
        locator = Locator(section.source)
        for s in scan.sentences:
            if s.status != "claim" or s.keys or s.where == "summary":
                continue
            if not included(s.blocks, scan, {brief.audience}):
                continue
            start = locator.line_starts[s.line - 1] + s.column - 1
            marks.setdefault(sid, []).append(
                DraftMark(start, _sentence_end(section, start, s.text))
            )
    return marks


def _sentence_end(section: Section, start: int, text: str) -> int | None:
    """Where the sentence ends in the source, if it can be wrapped in a span safely."""
    words = _WORD.findall(text)
    if not words:
        return None
    source = section.source
    limit = source.find("\n\n", start)
    limit = len(source) if limit < 0 else limit
    end = start
    for word in words:  # walk the words in order to the last one
        pos = source.find(word, end, limit)
        if pos < 0:
            return None
        end = pos + len(word)
    while end < limit and source[end] in ".!?\"'’”)":
        end += 1
    piece = source[start:end]
    balanced = all(piece.count(a) == piece.count(b) for a, b in ("[]", "()", "{}"))
    if not balanced or piece.count("*") % 2 or piece.count("`") % 2 or "\n\n" in piece:
        return None
    return end
