"""The application layer: one function per command.

Each function finds and loads the project, runs the library's stages and returns a frozen
result; it never prints, never exits and never reads the environment (``Settings`` comes
in from the entry point). ``cli.py`` turns options into these calls and results into text
and exit codes. This is the only place that decides on speed: each command opens the cache
once (``CacheMemory.open`` from Settings; None is no cache) and passes it down as the
stages' ``briefgen.memory.Memory``, decides whether to
use the check snapshot, and pauses the cycle collector (``@pausing``, briefgen.gcpause).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.cache.memory import CacheMemory
from briefgen.errors import ConfigError
from briefgen.files import from_cwd, inside
from briefgen.findings import Finding
from briefgen.gcpause import pausing
from briefgen.load import find_root, load_project
from briefgen.model import BRIEFS_DIR, SECTIONS_DIR, Brief, Project
from briefgen.settings import Settings
from briefgen.targets import split_targets

if TYPE_CHECKING:  # the stages are imported where a command needs them: a warm check
    # answered from the snapshot never loads pandoc's, Jinja's or the renderers' modules
    from briefgen.build import BuildOutcome
    from briefgen.check import CheckResult
    from briefgen.ledger import LedgerRow

Progress = Callable[[int, int], None]  # files parsed so far, files in all


def run_check(project: Project, *args: Any, **kwargs: Any) -> CheckResult:
    """briefgen.check.check, imported when a command first runs a check."""
    from briefgen.check import check

    return check(project, *args, **kwargs)


def brief_errors(findings: Any, names: Any = None) -> list[Finding]:
    from briefgen.build import brief_errors as errors

    return errors(findings, names)


def project_root(project_dir: Path | None) -> Path:
    """The project directory: the one given, or the current directory's nearest ancestor
    holding briefgen.yaml."""
    return project_dir if project_dir is not None else find_root(Path.cwd())


def open_project(
    project_dir: Path | None, settings: Settings
) -> tuple[Project, CacheMemory | None]:
    """The project, loaded, and the cache for this command: the one switch is
    ``Settings.use_cache``; the memory is None when it is off or no key can be had."""
    root = project_root(project_dir)
    memory = CacheMemory.open(root, settings.use_cache)
    return load_project(root, memory), memory


def briefs_named(project: Project, names: Sequence[str]) -> list[Brief]:
    """The named briefs; an unknown name raises ConfigError with "did you mean"."""
    for name in names:
        if name not in project.briefs:
            from briefgen.check import raise_unknown_brief

            raise_unknown_brief(project, name)
    return [project.briefs[n] for n in names]


# --------------------------------------------------------------------------- check


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    summary: dict[str, int]  # sections, claims, cited, uncited, errors, warnings
    briefs: dict[str, Any]  # per brief: audience, marking, words, reading grade, sections

    def failed(self, strict: bool) -> bool:
        return self.summary["errors"] > 0 or (strict and self.summary["warnings"] > 0)


@pausing
def check(
    project_dir: Path | None,
    names: Sequence[str],
    settings: Settings,
    readability: bool = False,
    progress: Progress | None = None,
) -> CheckReport:
    """``briefgen check``: the findings of the whole project, or of the named briefs and
    sections, from the snapshot of an identical earlier check when there is one."""
    from briefgen.cache.snapshot import Snapshot
    from briefgen.load import load_config

    root = project_root(project_dir)
    briefs, sections = split_targets(root, names) if root.is_dir() else (list(names), [])
    memory = CacheMemory.open(root, settings.use_cache)  # None without a directory: loading says so
    snapshot = None
    if memory is not None:
        config = load_config(root.resolve())
        targets = (*briefs, *(f"section:{sid}" for sid in sections))
        today = settings.today.isoformat()  # dated statements expire
        snapshot = Snapshot(memory.store, root.resolve(), config, targets, readability, today)
    stored = snapshot.lookup() if snapshot is not None else None
    if stored is None:
        project = load_project(root, memory)
        result = run_check(
            project,
            briefs,
            memory=memory,
            readability=readability,
            progress=progress,
            section_ids=sections,
            today=settings.today,
        )
        stored = result.findings, result.summary(result.bibliography.keys), _figures(result)
        if snapshot is not None:
            snapshot.store(stored)
    findings, summary, figures = stored
    return CheckReport(tuple(findings), summary, figures)


def _figures(result: CheckResult) -> dict[str, Any]:
    return {
        name: {
            "audience": s.audience,
            "marking": s.marking,
            "words": s.words,
            "reading_grade": s.reading_grade,
            "sections": dict(s.section_words),
        }
        for name, s in sorted(result.briefs.items())
    }


# --------------------------------------------------------------------------- build


@dataclass(frozen=True)
class BuildRequest:
    briefs: tuple[str, ...]  # empty with every_brief
    every_brief: bool
    formats: tuple[str, ...]
    outdir: Path | None  # None: build/ in the project
    draft: bool = False
    force: bool = False
    project_templates: bool = True  # False: briefgen's own templates only


@pausing
def build(
    project_dir: Path | None,
    request: BuildRequest,
    settings: Settings,
    progress: Callable[[str], None] | None = None,
    scan_progress: Progress | None = None,
    planned: Callable[[int], None] | None = None,
) -> BuildOutcome:
    """``briefgen build``: check, then build the briefs whose outputs are not up to date.
    ``planned`` hears how many briefs will be built, ``progress`` each one's line."""
    epoch = settings.epoch()
    project, memory = open_project(project_dir, settings)
    if not request.project_templates:
        project = replace(project, config=replace(project.config, templates=None))
    names = sorted(project.briefs) if request.every_brief else list(request.briefs)
    if request.every_brief and not names:
        raise ConfigError(
            f"no briefs in {project.root / 'briefs'}: add one with 'briefgen new brief NAME'"
        )
    if planned is not None:
        planned(len(names))
    outdir = request.outdir if request.outdir is not None else project.root / "build"
    if request.outdir is None and not inside(project.root, outdir):
        raise ConfigError(
            "build/ is a link to a directory outside the project: remove the link, or name "
            "the directory to write to with -o"
        )
    from briefgen.build import build_briefs

    return build_briefs(
        project,
        names,
        list(request.formats),
        outdir,
        request.draft,
        progress,
        request.force,
        scan_progress,
        epoch=epoch,
        memory=memory,
        today=settings.today,
    )


def watch(
    project_dir: Path | None,
    briefs: Sequence[str],
    formats: Sequence[str],
    outdir: Path | None,
    settings: Settings,
    report: Callable[[BuildOutcome | Exception], None],
) -> None:
    """``briefgen watch``: build now and after every change, until interrupted. A brief
    name that is not a file in briefs/ is an error now (a typo is not worth watching for;
    a brief broken mid-edit is). The cycle collector runs as usual: a watch lasts for hours."""
    from briefgen.watch import watch as run_watch

    epoch = settings.epoch()
    root = project_root(project_dir).resolve()
    missing = [n for n in briefs if not (root / BRIEFS_DIR / f"{n}.yaml").is_file()]
    if missing:
        briefs_named(open_project(root, settings)[0], missing)
    target = outdir if outdir is not None else root / "build"
    memory = CacheMemory.open(root, settings.use_cache)
    run_watch(
        root, briefs, formats, target, report, epoch=epoch, memory=memory, today=settings.today
    )


# --------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class Verified:
    output: Path
    problems: tuple[str, ...]  # empty: the output matches its inputs


@pausing
def verify(project_dir: Path | None, outputs: Sequence[Path], settings: Settings) -> list[Verified]:
    """``briefgen verify``: what no longer matches between each output and its manifest."""
    from briefgen.verify import verify_output

    project, _ = open_project(project_dir, settings)
    return [Verified(output, tuple(verify_output(project, output))) for output in outputs]


@pausing
def rebuild(project_dir: Path | None, outputs: Sequence[Path], settings: Settings) -> list[Any]:
    """``briefgen verify --rebuild``: each output compared with a fresh build of its brief
    (verify.Rebuilt, one per output)."""
    from briefgen.verify import rebuild_output

    epoch = settings.epoch()
    project, memory = open_project(project_dir, settings)
    return [rebuild_output(project, output, epoch, memory, settings.today) for output in outputs]


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class Listing:
    data: dict[str, Any]  # catalog.catalog's briefs, sections and classes
    errors: tuple[Finding, ...]  # errors in brief files (exit 1 after the listing)


@pausing
def listing(project_dir: Path | None, settings: Settings, today: dt.date) -> Listing:
    """``briefgen list``."""
    from briefgen import catalog

    project, memory = open_project(project_dir, settings)
    result = run_check(project, memory=memory)
    data = catalog.catalog(project, result, today)
    return Listing(data, tuple(brief_errors(result.findings)))


@pausing
def claims(project_dir: Path | None, briefs: Sequence[str], settings: Settings) -> list[LedgerRow]:
    """``briefgen claims``: the claim ledger's rows for the named briefs (all: none named)."""
    from briefgen import ledger

    project, memory = open_project(project_dir, settings)
    selected = briefs_named(project, briefs)
    result = run_check(project, briefs, memory=memory)
    return ledger.ledger(project, result, selected)


@pausing
def evidence(project_dir: Path | None, claim: str, settings: Settings) -> dict[str, Any]:
    """``briefgen evidence CLAIM-ID``: the claim's ledger row and its evidence
    (briefgen.evidence.report.find_claim); an unknown id raises ConfigError."""
    from briefgen.evidence.report import find_claim

    project, memory = open_project(project_dir, settings)
    return find_claim(project, run_check(project, memory=memory), claim)


@pausing
def references(project_dir: Path | None, settings: Settings) -> dict[str, Any]:
    """``briefgen refs``: who cites each entry, unused entries, missing fields."""
    from briefgen import ledger

    project, memory = open_project(project_dir, settings)
    result = run_check(project, memory=memory)
    return ledger.references(project, result, result.bibliography)


@dataclass(frozen=True)
class Comparison:
    diff: dict[str, Any] | None  # ledger.diff's sections and claims; None when refused
    errors: tuple[Finding, ...]  # brief errors that stop the comparison


@pausing
def diff(project_dir: Path | None, a: str, b: str, settings: Settings) -> Comparison:
    """``briefgen diff A B``."""
    from briefgen import ledger

    project, memory = open_project(project_dir, settings)
    first, second = briefs_named(project, (a, b))
    result = run_check(project, (a, b), memory=memory)
    errors = tuple(brief_errors(result.findings, (a, b)))
    if errors:
        return Comparison(None, errors)
    return Comparison(ledger.diff(project, result, first, second), ())


# --------------------------------------------------------------------------- scaffolding


@dataclass(frozen=True)
class Created:
    written: str  # project-relative path of the new file
    added_to: str | None  # the brief file the new section was added to
    next_step: str  # what to do next, as one line


@pausing
def new(
    project_dir: Path | None,
    kind: str,
    name: str,
    force: bool,
    settings: Settings,
    brief: str | None = None,
    audience: str | None = None,
) -> Created:
    """``briefgen new section|brief NAME``: a file from a commented template; a section
    can be added to a brief's sections: at once (``brief``)."""
    from briefgen import scaffold

    project, _ = open_project(project_dir, settings)
    if kind == "brief":
        written = project.rel(scaffold.new_brief(project, name, force, audience))
        step = f"next: list its sections under sections:, then run 'briefgen build {name}'"
        return Created(written, None, step)
    if brief is not None:
        briefs_named(project, [brief])  # an unknown brief is refused before anything is written
    written = project.rel(scaffold.new_section(project, name, force))
    if brief is not None:
        added = project.rel(scaffold.add_to_brief(project, brief, name))
        return Created(written, added, f"next: write it, then run 'briefgen check {brief}'")
    example = min(project.briefs, default=None)
    where = project.briefs[example].rel if example is not None else "a brief in briefs/"
    step = (
        f"next: add '- {name}' under sections: in {where} (no brief includes it yet), "
        "then run 'briefgen check'"
    )
    return Created(written, None, step)


def init(directory: Path, force: bool) -> list[Path]:
    """``briefgen init``: the files written."""
    from briefgen import scaffold

    return scaffold.init_project(directory, force)


@dataclass(frozen=True)
class Imported:
    written: tuple[str, ...]  # project-relative paths of the sections written
    unmapped: tuple[tuple[str, tuple[int, ...]], ...]  # reference number, lines using it
    uncited: tuple[tuple[int, str], ...]  # line, sentence without a reference
    # the draft's own reference list: where it is, and the map proposed from it (written
    # instead of the sections when no --refs was given)
    listed: tuple[int, int] | None = None  # its first and last entry's line
    proposed: Path | None = None  # the proposed map
    matched: tuple[int, int] = (0, 0)  # entries matched to a key, entries


@pausing
def import_draft(
    project_dir: Path | None,
    draft: Path,
    refs_map: Path | None,
    prefix: str | None,
    force: bool,
    settings: Settings,
    today: dt.date,
) -> Imported:
    """``briefgen import``: a draft with numeric references turned into section files."""
    from briefgen import importer

    project, _ = open_project(project_dir, settings)
    refs_by_number = importer.load_ref_map(refs_map) if refs_map is not None else {}
    report = importer.convert_draft(importer.read_draft(draft), refs_by_number, prefix, today)
    listed = report.listed
    where = (listed.entries[0].line, listed.entries[-1].line) if listed else None
    if listed is not None and refs_map is None:  # propose a map; the editor reviews it first
        target = project.root / f"{importer.slugify(draft.stem)}-refs.yaml"
        label = from_cwd(draft)
        matched = importer.propose_reference_map(project, label, listed, target, force)
        return Imported((), (), (), where, target, (matched, len(listed.entries)))
    written = importer.write_sections(report, project.root / SECTIONS_DIR, force)
    return Imported(
        tuple(project.rel(p) for p in written),
        tuple((str(n), tuple(lines)) for n, lines in report.unmapped),
        tuple((line, sentence) for line, sentence in report.uncited),
        where,
    )
