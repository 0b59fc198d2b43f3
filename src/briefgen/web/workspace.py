"""What each workspace page shows, gathered from the same application calls as the CLI
(``briefgen.app``: check, list, claims, refs, build). Every problem a call raises becomes a
problem on the page (``Problem``), never a traceback: a project broken mid-edit is shown
as broken and recovers on the next save."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefgen import app
from briefgen.build import expected_marking
from briefgen.errors import BriefgenError
from briefgen.findings import RULES, Finding
from briefgen.model import BRIEFS_DIR, Project
from briefgen.render import FORMATS
from briefgen.settings import Settings
from briefgen.web.preview import Reader, View, render

_WHERE_RE = re.compile(r"^([^\s:][^:\n]*?):(\d+)(?::(\d+))?: (.*)$", re.S)


@dataclass(frozen=True)
class Problem:
    """A finding, or an error that stopped a call, as a page shows it."""

    file: str
    line: int
    column: int
    rule: str
    severity: str
    message: str
    text: str = ""

    @classmethod
    def of(cls, finding: Finding) -> Problem:
        f = finding
        return cls(f.file, f.line, f.column, f.rule, f.severity, f.message, f.text)

    @classmethod
    def failed(cls, exc: BriefgenError) -> Problem:
        """An error a call raised: ``file:line: message`` read back into its parts."""
        message = " ".join(str(exc).split())
        match = _WHERE_RE.match(message)
        if match is not None:
            file, line, column, rest = match.groups()
            return cls(file, int(line), int(column or 1), "error", "error", rest)
        return cls("", 0, 0, "error", "error", message)


@dataclass
class BriefRow:
    name: str
    rel: str
    title: str
    audience: str
    marking: str
    words: int | None
    budget: int | None
    grade: float | None
    grade_limit: float | None
    errors: int
    warnings: int
    built: str | None


@dataclass
class Home:
    briefs: list[BriefRow] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    briefs_of: dict[str, str] = field(default_factory=dict)  # file -> briefs using it


@dataclass
class BriefPage:
    name: str
    title: str = ""
    audience: str = ""
    own_audience: str = ""
    audiences: list[tuple[str, str]] = field(default_factory=list)  # name, label
    withheld: str = "hide"
    marking: str = "TLP:CLEAR"
    html: str = ""
    problems: list[Problem] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)  # format -> file name in build/
    files: dict[str, str] = field(default_factory=dict)  # section id -> its file


class Workspace:
    """One project's workspace. Calls are serialised: one check or build at a time."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root.resolve()
        self.settings = settings
        self.reader = Reader()
        self.lock = threading.RLock()

    @property
    def outdir(self) -> Path:
        return self.root / "build"

    def built(self, name: str) -> dict[str, str]:
        """The outputs of a brief in build/: format -> file name."""
        found: dict[str, str] = {}
        if self.outdir.is_symlink():
            return found
        for fmt in FORMATS:
            path = self.outdir / f"{name}.{fmt}"
            if path.is_file() and not path.is_symlink():
                found[fmt] = path.name
        return found

    def last_built(self, name: str) -> str | None:
        times = [(self.outdir / f).stat().st_mtime for f in self.built(name).values()]
        if not times:
            return None
        return dt.datetime.fromtimestamp(max(times)).strftime("%Y-%m-%d %H:%M")

    def home(self) -> Home:
        with self.lock:
            page = Home(rules=sorted(RULES))
            try:
                project, _ = app.open_project(self.root, self.settings)
                report = app.check(self.root, [], self.settings)
                listing = app.listing(self.root, self.settings, self.settings.today)
            except BriefgenError as exc:
                page.problems.append(Problem.failed(exc))
                return page
            page.problems = [Problem.of(f) for f in report.findings]
            page.sections = list(listing.data["sections"])
            users: dict[str, list[str]] = {}
            grades = {b["name"]: b.get("reading_grade") for b in listing.data["briefs"]}
            for name in sorted(project.briefs):
                row = self._brief_row(project, name, report, page.problems)
                row.grade = row.grade if row.grade is not None else grades.get(name)
                page.briefs.append(row)
                for rel in self._files(project, name):
                    users.setdefault(rel, []).append(name)
            page.briefs_of = {rel: " ".join(names) for rel, names in users.items()}
            return page

    @staticmethod
    def _files(project: Project, name: str) -> set[str]:
        brief = project.briefs[name]
        return {brief.rel} | {
            project.sections[s].rel for s in brief.sections if s in project.sections
        }

    def _brief_row(
        self, project: Project, name: str, report: app.CheckReport, problems: list[Problem]
    ) -> BriefRow:
        brief = project.briefs[name]
        figures = report.briefs.get(name, {})
        audience = project.config.audiences.get(brief.audience)
        files = self._files(project, name)
        mine = [p for p in problems if p.file in files]
        return BriefRow(
            name=name,
            rel=brief.rel,
            title=brief.title,
            audience=brief.audience,
            marking=figures.get("marking") or expected_marking(project, brief),
            words=figures.get("words"),
            budget=audience.word_budget if audience else None,
            grade=figures.get("reading_grade"),
            grade_limit=audience.reading_level if audience else None,
            errors=sum(p.severity == "error" for p in mine),
            warnings=sum(p.severity == "warning" for p in mine),
            built=self.last_built(name),
        )

    def brief(self, name: str, audience: str | None, withheld: str) -> BriefPage:
        """A brief's page, as ``audience`` (default: its own) would get it."""
        with self.lock:
            page = BriefPage(name=name, withheld="show" if withheld == "show" else "hide")
            try:
                project, _ = app.open_project(self.root, self.settings)
                if self._broken(project, name, page):
                    return page
                brief = app.briefs_named(project, [name])[0]
                report = app.check(self.root, [name], self.settings)
            except BriefgenError as exc:
                page.problems.append(Problem.failed(exc))
                return page
            findings = list(report.findings)
            page.problems = [Problem.of(f) for f in findings]
            page.title, page.own_audience = brief.title, brief.audience
            page.audiences = [(a.name, a.label) for a in project.config.audiences.values()]
            page.audience = audience if audience in project.config.audiences else brief.audience
            page.outputs = self.built(name)
            page.files = {s.id: s.rel for s in project.sections.values()}
            page.inputs = sorted({brief.rel, *(page.files.get(s, "") for s in brief.sections)})
            if page.audience == brief.audience and name in report.briefs:
                page.marking = report.briefs[name]["marking"]
            else:
                page.marking = expected_marking(project, replace(brief, audience=page.audience))
            try:
                view = View(page.audience, page.withheld)
                page.html = render(self.reader, project, brief, view, findings)
            except BriefgenError as exc:
                page.problems.append(Problem.failed(exc))
            return page

    def _broken(self, project: Project, name: str, page: BriefPage) -> bool:
        """Whether the brief's file is there but cannot be read: then the page shows why
        (its findings), not "unknown brief"."""
        rel = f"{BRIEFS_DIR}/{name}.yaml"
        if name in project.briefs or not (self.root / rel).is_file():
            return False
        page.problems = [Problem.of(f) for f in project.findings if f.file == rel]
        page.inputs = [rel]
        return bool(page.problems)

    def claims(self) -> tuple[list[Any], list[Problem]]:
        with self.lock:
            try:
                return app.claims(self.root, [], self.settings), []
            except BriefgenError as exc:
                return [], [Problem.failed(exc)]

    def references(self) -> tuple[dict[str, Any], list[Problem]]:
        with self.lock:
            try:
                return app.references(self.root, self.settings), []
            except BriefgenError as exc:
                return {}, [Problem.failed(exc)]

    def build(self, name: str, fmt: str) -> list[Problem]:
        """Build one format of one brief into build/; the problems that refused it."""
        if fmt not in FORMATS:
            return [Problem("", 0, 0, "error", "error", f"unknown format '{fmt}'")]
        request = app.BuildRequest((name,), False, (fmt,), None)
        with self.lock:
            try:
                outcome = app.build(self.root, request, self.settings)
            except BriefgenError as exc:
                return [Problem.failed(exc)]
        return [Problem.of(f) for f in outcome.refused]
