"""check -> assemble -> render for a set of briefs. Writes nothing when the check fails;
a draft build goes past uncited claims, unknown keys and unsupported figures only."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from briefgen.assemble import Assembled, DraftMark, assemble
from briefgen.brief_findings import marking_sources
from briefgen.check import CheckResult, check
from briefgen.draft_page import DraftFinding, brief_findings
from briefgen.errors import RenderError
from briefgen.evidence.engine import evidence_mark
from briefgen.files import ensure_writable, from_cwd, recover_sets, remove_stale_temporaries
from briefgen.findings import Finding
from briefgen.limits import section_limits
from briefgen.memory import Memory
from briefgen.model import BRIEFS_DIR, Brief, Project, Section
from briefgen.render import BuildOutput, build_key, render_outputs, up_to_date, write_outputs
from briefgen.rules.audiences import included
from briefgen.rules.markings import highest_marking
from briefgen.scan import AudienceBlock, FileScan, Progress, split_names
from briefgen.scan.locate import WORD_RE, Locator

#: The errors a draft builds past (that is what drafts are for: showing unsourced prose to
#: reviewers). Every other error refuses a draft too: what a brief includes, for whom and
#: under which marking must be known and allowed, whatever kind of build it is.
DRAFT_BUILDS_PAST = frozenset({"uncited-claim", "unknown-key", "unsupported-figure"})


def refusing(findings: Iterable[Finding], draft: bool) -> list[Finding]:
    """The findings that refuse a build, or a draft build with ``draft``."""
    return [
        f for f in findings if f.severity == "error" and not (draft and f.rule in DRAFT_BUILDS_PAST)
    ]


def brief_errors(findings: Iterable[Finding], names: Iterable[str] | None = None) -> list[Finding]:
    """Errors in brief files themselves (of the named briefs, or of every brief): an unknown
    audience or section, a marking above the audience's ceiling, a malformed brief. Such a
    brief cannot be built, not even as a draft, nor listed or compared as if it could."""
    wanted = None if names is None else {f"{BRIEFS_DIR}/{n}.yaml" for n in names}
    return [
        f
        for f in findings
        if f.severity == "error"
        and (f.file in wanted if wanted is not None else _is_brief_file(f.file))
    ]


def _beyond_limits(project: Project, brief: Brief) -> bool:
    """Whether a section of the brief is one pandoc must not be given (briefgen.limits)."""
    sections = (project.sections.get(sid) for sid in brief.sections)
    return any(
        section_limits(s.source, s.body_offset, s.summary, s.summary_offset)
        for s in sections
        if s is not None
    )


def _is_brief_file(rel: str) -> bool:
    folder, _, name = rel.rpartition("/")
    return folder == BRIEFS_DIR and name.endswith(".yaml")


@dataclass
class BuildOutcome:
    findings: list[Finding]
    summary: dict[str, int]
    built: list[BuildOutput] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # briefs whose outputs were up to date
    refused: list[Finding] = field(default_factory=list)  # the errors that refused the build
    seconds: float = 0.0  # how long the check and the build took


def build_briefs(
    project: Project,
    names: Sequence[str],
    formats: Sequence[str],
    outdir: Path,
    draft: bool = False,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    scan_progress: Progress | None = None,
    *,
    epoch: int | None = None,
    memory: Memory | None = None,
    today: dt.date | None = None,
) -> BuildOutcome:
    """Check, then build each brief whose outputs are missing or stale (all with force).

    Errors refuse the build (``refusing``: a draft's, all but uncited claims and unknown
    keys); then nothing is written and the outcome's ``refused`` lists those errors.

    ``epoch`` is SOURCE_DATE_EPOCH (Settings.epoch): every output's date and timestamp.
    ``memory`` is what may be reused (briefgen.memory): the check's scans, and this machine's
    record of what was built, without which no output is up to date. ``today``: what dated
    statements are held to in a brief without a date: (check.check).

    Rendering does not wait for the check: each brief is assembled with the marking the
    check is expected to give (``expected_marking``) and rendered while the check parses the
    sections. Nothing is written until the check has passed and confirmed that marking; a
    brief whose marking turns out different is assembled and rendered again.
    """
    started = time.monotonic()
    unique = list(dict.fromkeys(names))
    run = _Build(project, unique, formats, outdir, draft, force, epoch, memory, today)
    # Independent briefs render side by side; each already runs its formats in parallel.
    with ThreadPoolExecutor(max_workers=min(2, len(run.names)) or 1) as pool:
        run.render_ahead(pool)
        result, refused = run.check(scan_progress)
        outcome = BuildOutcome(result.findings, result.summary(result.bibliography.keys))
        if refused:
            outcome.refused = refused
        else:
            run.prepare_outdir()
            # every brief has its figures: one the check could not grade was refused above
            with ThreadPoolExecutor(max_workers=min(2, len(run.names)) or 1) as writers:
                for name, built, message in writers.map(partial(run.write, result), run.names):
                    if built is None:
                        outcome.skipped.append(name)
                    else:
                        outcome.built.append(built)
                    if progress is not None:
                        progress(message)
    outcome.seconds = time.monotonic() - started
    return outcome


# per brief rendered ahead: the assembled guess, its build key, its rendering (None when its
# outputs were already up to date)
Ahead = tuple[Assembled, str, "Future[dict[str, bytes]] | None"]


@dataclass
class _Build:
    """One build_briefs run: what it was asked, and the renderings started ahead."""

    project: Project
    names: list[str]
    formats: Sequence[str]
    outdir: Path
    draft: bool
    force: bool
    epoch: int | None
    memory: Memory | None
    today: dt.date | None
    cancelled: threading.Event = field(default_factory=threading.Event)
    checked: threading.Event = field(default_factory=threading.Event)
    ahead: dict[str, Ahead] = field(default_factory=dict)

    def render_ahead(self, pool: ThreadPoolExecutor) -> None:
        """Assemble and start rendering each brief with its expected marking. Draft marks
        come from the check: those builds wait for it; so do all builds when the
        bibliography is missing (the check says so, with what to do), and builds with the
        project's own templates, which are code: they never run for a refused build."""
        project = self.project
        if self.draft or project.config.templates is not None:
            return
        if not project.config.bibliography.is_file():
            return
        for name in self.names:
            brief = project.briefs.get(name)
            if brief is None or brief_errors(project.findings, [name]):
                continue  # the check refuses it: nothing to assemble
            if _beyond_limits(project, brief):
                continue  # pandoc would not finish; the check refuses it first
            marking = expected_marking(project, brief)
            assembled = assemble(project, brief, marking, None, self.epoch)
            key = build_key(project, brief, assembled)
            future = None
            if self.force or not self._up_to_date(brief, key, False):
                future = pool.submit(
                    render_outputs,
                    project,
                    brief,
                    assembled,
                    self.formats,
                    self.cancelled,
                    self.checked,
                )
            self.ahead[name] = (assembled, key, future)

    def check(self, scan_progress: Progress | None) -> tuple[CheckResult, list[Finding]]:
        """The check, and the errors that refuse the build (renderings ahead are then
        cancelled). While PDFs render ahead, the check leaves them a core; the reading grade
        is not part of a build (a reading_level finding is, computed where one is set)."""
        jobs = max(1, (os.cpu_count() or 1) - 1) if self.ahead else None
        try:
            result = check(
                self.project,
                self.names,
                memory=self.memory,
                readability=False,
                progress=scan_progress,
                jobs=jobs,
                today=self.today,
            )
            refused = refusing(result.findings, self.draft)
            if refused:
                self.cancelled.set()
        except BaseException:
            self.cancelled.set()
            raise
        finally:
            self.checked.set()
        return result, refused

    def prepare_outdir(self) -> None:
        try:
            ensure_writable(self.outdir)
        except OSError as exc:
            self.cancelled.set()
            reason = exc.strerror or str(exc)
            raise RenderError(
                f"cannot write to {self.outdir}: {reason}; choose another directory with -o"
            ) from None
        recover_sets(self.outdir)  # a set a killed build left half renamed, first
        remove_stale_temporaries(self.outdir)

    def write(self, result: CheckResult, name: str) -> tuple[str, BuildOutput | None, str]:
        """Render (or take the rendering started ahead) and write one brief's outputs."""
        project = self.project
        brief = project.briefs[name]
        stats = result.briefs[name]
        guess = self.ahead.get(name)
        if guess is not None and guess[0].metadata["marking"] == stats.marking:
            assembled, key, future = guess
        else:  # a draft, or the marking was not the expected one
            marks = _draft_marks(project, brief, result) if self.draft else None
            assembled = assemble(project, brief, stats.marking, marks, self.epoch)
            if self.draft:
                assembled = replace(assembled, findings=_open_findings(project, brief, result))
            key, future = build_key(project, brief, assembled), None
        if not self.force and self._up_to_date(brief, key, self.draft):
            return name, None, f"{name}: up to date"
        claims = brief_claims(brief, result.scans, result.bibliography.keys)
        if future is not None:
            results = future.result()
        else:
            results = render_outputs(project, brief, assembled, self.formats)
        built = write_outputs(
            project, brief, assembled, results, self.outdir, claims, key, self.memory
        )
        files = ", ".join(from_cwd(p) for p in built.outputs.values())
        return name, built, f"{name}: {stats.marking}, {stats.words} words -> {files}"

    def _up_to_date(self, brief: Brief, key: str, draft: bool) -> bool:
        return up_to_date(self.project, self.outdir, brief, key, self.formats, draft, self.memory)


_FENCE_ATTRS = re.compile(r"^[ \t]*:{3,}[ \t]*\{([^}\n]*)\}", re.M)
_ATTR = re.compile(r"""([\w-]+)=(?:"([^"]*)"|'([^']*)'|([^\s}]+))""")


def expected_marking(project: Project, brief: Brief) -> str:
    """The marking the check will give the brief, read without pandoc: the highest of its
    sections' markings and of the audience blocks (``::: {.audience marking=...}``) its
    audience sees. Only a guess for rendering ahead of the check, which has the last word."""
    markings = []
    for sid in brief.sections:
        section = project.sections.get(sid)
        if section is None:
            continue
        blocks = []
        for fence in _FENCE_ATTRS.finditer(section.source, section.body_offset):
            attrs = fence.group(1)
            if not re.search(r"(?<![\w-])\.audience(?![\w-])", attrs):
                continue
            values = {m[1]: m[2] or m[3] or m[4] for m in _ATTR.finditer(attrs)}
            only, exclude = values.get("only", ""), values.get("except", "")
            blocks.append(
                AudienceBlock(split_names(only), split_names(exclude), values.get("marking"), 0)
            )
        markings += [m for _, m in marking_sources(section, blocks, brief.audience)]
    return highest_marking(markings)


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


def _open_findings(project: Project, brief: Brief, result: CheckResult) -> tuple[DraftFinding, ...]:
    """What a draft's last page lists: the findings in the brief's file and its sections."""
    files = [f"{BRIEFS_DIR}/{brief.name}.yaml"]
    files += [project.sections[sid].rel for sid in brief.sections if sid in project.sections]
    return brief_findings(result.findings, files)


def _draft_marks(project: Project, brief: Brief, result: CheckResult) -> dict[str, list[DraftMark]]:
    """The sentences a draft highlights: uncited claims, and claims with a figure no cited
    source gives or weak support (briefgen.evidence)."""
    marks: dict[str, list[DraftMark]] = {}
    for sid in brief.sections:
        section, scan = project.sections.get(sid), result.scans.get(sid)
        if section is None or scan is None:
            continue
        locator = Locator(section.source)
        for s in scan.sentences:
            if s.status != "claim" or s.where == "summary":
                continue
            kind = "uncited" if not s.keys else evidence_mark(result.evidence, section.rel, s)
            if kind is None or not included(s.blocks, scan, {brief.audience}):
                continue
            start = locator.line_starts[s.line - 1] + s.column - 1
            marks.setdefault(sid, []).append(
                DraftMark(start, sentence_end(section, start, s.text), kind)
            )
    return marks


def sentence_end(section: Section, start: int, text: str) -> int | None:
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
