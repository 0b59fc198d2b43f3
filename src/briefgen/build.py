"""check -> assemble -> render for a set of briefs. Writes nothing when the check fails
(unless it is a draft build)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.assemble import DraftMark, assemble
from briefgen.check import check, included
from briefgen.claims import WORD_RE, FileScan, Locator, Progress
from briefgen.errors import RenderError
from briefgen.files import ensure_writable, remove_stale_temporaries
from briefgen.findings import Finding
from briefgen.project import Brief, Project, Section
from briefgen.render import BuildOutput, build_brief, build_key, up_to_date


@dataclass
class BuildOutcome:
    findings: list[Finding]
    summary: dict[str, int]
    built: list[BuildOutput] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # briefs whose outputs were up to date


def build_briefs(
    project: Project,
    names: Sequence[str],
    formats: Sequence[str],
    outdir: Path,
    draft: bool = False,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    scan_progress: Progress | None = None,
) -> BuildOutcome:
    """Check, then build each brief whose outputs are missing or stale (all with force)."""
    result = check(project, names, progress=scan_progress)
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

    def one(name: str) -> tuple[str, BuildOutput | None, str]:
        brief = project.briefs[name]
        stats = result.briefs[name]
        marks = _draft_marks(project, brief, result.scans) if draft else None
        assembled = assemble(project, brief, stats.marking, marks)
        key = build_key(project, assembled)
        if not force and up_to_date(outdir, brief, key, formats):
            return name, None, f"{name}: up to date"
        claims = brief_claims(brief, result.scans, result.bibliography.keys)
        built = build_brief(project, brief, assembled, formats, outdir, claims, key)
        files = ", ".join(_show(p) for p in built.outputs.values())
        return name, built, f"{name}: {stats.marking}, {stats.words} words -> {files}"

    names = [n for n in names if n in result.briefs]
    # Independent briefs render side by side; each already runs its formats in parallel.
    with ThreadPoolExecutor(max_workers=min(2, len(names)) or 1) as pool:
        for name, built, message in pool.map(one, names):
            if built is None:
                outcome.skipped.append(name)
            else:
                outcome.built.append(built)
            if progress is not None:
                progress(message)
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
    words = WORD_RE.findall(text)
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
