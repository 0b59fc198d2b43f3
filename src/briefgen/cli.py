"""The command line: parse options, call the library, print, set the exit code.

Nothing below the CLI prints or exits; every BriefgenError is turned into a one-line
message and an exit code here, in ``main``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from briefgen import __version__, app
from briefgen.errors import BriefgenError
from briefgen.settings import Settings

if TYPE_CHECKING:
    from briefgen.build import BuildOutcome
    from briefgen.findings import Finding

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def project_option(func: F) -> F:
    return click.option(
        "--project",
        "project_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Project directory (default: the current directory or its nearest parent "
        "holding briefgen.yaml).",
    )(func)


def output_option(func: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Output directory (default: build/ in the project).",
    )(func)


def format_option(*choices: str, default: str) -> Callable[[F], F]:
    def decorator(func: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default=default,
            show_default=True,
            help="Output format.",
        )(func)

    return decorator


def _versions(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from briefgen.render import pandoc_version, typst_version

    click.echo(f"briefgen {__version__} (pandoc {pandoc_version()}, typst {typst_version()})")
    ctx.exit()


@click.group(context_settings=CONTEXT)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_versions,
    help="Show briefgen's, pandoc's and typst's versions and exit.",
)
def cli() -> None:
    """Assemble citation-backed briefing papers; refuse claims without a source.

    \b
    Typical use:
      briefgen check                  check every section, brief and the bibliography
      briefgen build --all            build every brief to PDF, DOCX and HTML
    """


class ScanProgress:
    """A progress bar on stderr while a check parses many files (only on a terminal, and
    only when there are enough files to wait for); silent otherwise."""

    MIN_FILES = 50

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < self.MIN_FILES or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(length=total, label="checking", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> ScanProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


class BriefProgress:
    """Each built brief's line on stderr; with several briefs on a terminal, a progress bar
    instead that moves on and shows each brief's name."""

    def __init__(self) -> None:
        self.bar: Any = None

    def plan(self, total: int) -> None:
        if total > 1 and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="building", file=sys.stderr)
            self.bar.__enter__()

    def __call__(self, message: str) -> None:
        if self.bar is None:
            click.echo(message, err=True)
            return
        self.bar.update(1)
        self.bar.label = message.split(":")[0]

    def __enter__(self) -> BriefProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def settings() -> Settings:
    """The environment's settings, read once per command (main reads them too, for debug)."""
    return Settings.from_env()


def _style(text: str, **kwargs: Any) -> str:
    return click.style(text, **kwargs)


# --------------------------------------------------------------------------- check


@cli.command(context_settings=CONTEXT)
@click.argument("targets", nargs=-1, metavar="[BRIEF|SECTION]...")
@format_option("text", "json", "sarif", "github", default="text")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@project_option
def check(targets: tuple[str, ...], fmt: str, strict: bool, project_dir: Path | None) -> None:
    """Check that every claim is cited and every reference resolves.

    With no argument, checks every section module, every brief and the bibliography; with
    BRIEF names, only what those briefs include; with SECTION ids or files
    (briefs/sections/x.md), just those sections. Exit 0: no errors; 1: errors found (or
    warnings, with --strict); 2: could not run.

    \b
    Example:
      briefgen check
      briefgen check ministers --format json
      briefgen check briefs/sections/anonymity.md
    """
    from briefgen import report

    env = settings()
    with ScanProgress() as progress:
        result = app.check(project_dir, targets, env, readability=fmt == "json", progress=progress)
    findings, summary = list(result.findings), result.summary
    if fmt in ("text", "github"):  # paths a reader can open from where they are
        findings = from_here(findings, project_dir)
    if fmt == "json":
        click.echo(report.as_json(findings, summary, {"briefs": result.briefs}))
    elif fmt == "sarif":
        click.echo(report.as_sarif(findings))
    elif fmt == "github":
        text = report.as_github(findings)
        if text:
            click.echo(text)
        click.echo(report.summary_line(summary), err=True)
    else:
        colour = sys.stdout.isatty() and env.colour
        click.echo(report.as_text(findings, summary, _style if colour else None), color=colour)
    sys.exit(1 if result.failed(strict) else 0)


# --------------------------------------------------------------------------- build


@cli.command(context_settings=CONTEXT)
@click.argument("briefs", nargs=-1)
@click.option("--all", "all_briefs", is_flag=True, help="Build every brief in briefs/.")
@click.option(
    "--to",
    "formats",
    default="pdf,docx,html",
    show_default=True,
    help="Comma-separated output formats: pdf, docx, html.",
)
@output_option
@click.option(
    "--draft",
    is_flag=True,
    help="Build despite uncited claims and unknown keys, with a DRAFT watermark and uncited "
    "sentences highlighted, into DIR/<brief>.draft.* (never over the real outputs).",
)
@click.option("--force", is_flag=True, help="Rebuild even when the outputs are up to date.")
@click.option(
    "--no-project-templates",
    is_flag=True,
    help="Render with briefgen's own templates even when briefgen.yaml opts in to the "
    "project's (templates:), as for a pull request from outside the team.",
)
@project_option
def build(
    briefs: tuple[str, ...],
    all_briefs: bool,
    formats: str,
    output: Path | None,
    draft: bool,
    force: bool,
    no_project_templates: bool,
    project_dir: Path | None,
) -> None:
    """Check, then build briefs to PDF, DOCX and HTML.

    Runs the check first, prints its findings as 'check' does, and writes nothing when it
    finds errors (exit 1). Outputs: DIR/<brief>.pdf, .docx, .html and <brief>.manifest.json.
    A draft goes past uncited claims and unknown keys only (never an unknown audience or
    section, nor a marking above the audience's ceiling) and writes <brief>.draft.* files,
    which 'verify' refuses. A brief whose inputs, templates and tools are unchanged since
    its last build is not rendered again (--force renders it anyway); independent briefs
    are built in parallel. The project's own templates (Lua, Jinja, Typst: code) are used
    only when briefgen.yaml opts in with 'templates: templates/', and only once the check
    has passed.

    \b
    Example:
      briefgen build --all
      briefgen build ministers --to pdf -o out/
    """
    wanted = _formats(formats)
    if all_briefs and briefs:
        raise click.UsageError("give brief names or --all, not both")
    if not all_briefs and not briefs:
        raise click.UsageError("name the briefs to build, or pass --all")
    request = app.BuildRequest(
        briefs=briefs,
        every_brief=all_briefs,
        formats=tuple(wanted),
        outdir=output,
        draft=draft,
        force=force,
        project_templates=not no_project_templates,
    )
    with ScanProgress() as scanning, BriefProgress() as progress:
        outcome = app.build(project_dir, request, settings(), progress, scanning, progress.plan)
    _show_findings(outcome, draft, project_dir)
    sys.exit(1 if outcome.refused else 0)


def _shown_path(path: Path) -> str:
    """An output's path relative to the current directory when it lies below it."""
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def from_here(findings: list[Finding], project_dir: Path | None) -> list[Finding]:
    """Findings with their paths relative to the current directory rather than to the
    project, when --project named another one (JSON and SARIF keep project paths)."""
    if project_dir is None:
        return findings
    try:
        prefix = Path(os.path.relpath(app.project_root(project_dir).resolve(), Path.cwd()))
    except ValueError:  # another drive
        return findings
    if prefix == Path("."):
        return findings
    return [replace(f, file=(prefix / f.file).as_posix()) for f in findings]


def _show_findings(outcome: BuildOutcome, draft: bool, project_dir: Path | None) -> None:
    """On stderr, what 'check' would print for the briefs built (warnings too), then why
    the build was refused, if it was."""
    from briefgen import report
    from briefgen.build import refusing

    if outcome.findings:
        colour = sys.stderr.isatty() and settings().colour
        shown = from_here(outcome.findings, project_dir)
        text = report.as_text(shown, outcome.summary, _style if colour else None)
        click.echo(text, err=True, color=colour)
    if not outcome.refused:
        return
    if draft:
        why = "draft refused: fix the errors above (a draft builds past uncited claims and "
        why += "unknown keys only)"
    elif refusing(outcome.findings, draft=True):
        why = "build refused: fix the errors above (a draft would be refused too)"
    else:
        why = "build refused: fix the errors above, or build with --draft"
    click.echo(why, err=True)


def _show_brief_errors(findings: list[Finding]) -> None:
    from briefgen import report

    for finding in findings:
        click.echo(report.finding_line(finding), err=True)


# --------------------------------------------------------------------------- list


@cli.command("list", context_settings=CONTEXT)
@format_option("text", "json", default="text")
@project_option
def list_(fmt: str, project_dir: Path | None) -> None:
    """List briefs (audience, sections, marking, words) and sections (marking, owner, review).

    A section is 'stale' when its reviewed: date is older than stale_after_days in
    briefgen.yaml. Exit 1 (after the listing) when a brief names an unknown audience or
    section or is marked above its audience's ceiling; the errors go to stderr.

    \b
    Example:
      briefgen list
      briefgen list --format json
    """
    from briefgen import catalog

    listed = app.listing(project_dir, settings(), dt.date.today())
    text = catalog.as_json(listed.data) if fmt == "json" else catalog.as_text(listed.data)
    click.echo(text)
    _show_brief_errors(list(listed.errors))
    sys.exit(1 if listed.errors else 0)


@cli.command(context_settings=CONTEXT)
@click.argument("outputs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--rebuild",
    is_flag=True,
    help="Build each OUTPUT's brief again into a temporary directory and compare the bytes, "
    "trusting nothing the manifest records.",
)
@project_option
def verify(outputs: tuple[Path, ...], rebuild: bool, project_dir: Path | None) -> None:
    """Say whether built files still match their inputs (from <brief>.manifest.json).

    Exit 0 when every OUTPUT is exactly what its recorded inputs and tools built; 1 when an
    input, the output itself or a tool version changed since, or when an OUTPUT is a draft
    (drafts are never verified); 2 when an OUTPUT or its manifest is missing or malformed.
    A manifest is untrusted: verify reads only the files inside the project it names.
    --rebuild proves an OUTPUT even against a forged manifest: exit 1 when a fresh build of
    its brief (same format, in a temporary directory) differs from it byte for byte, or when
    the check refuses the brief.

    \b
    Example:
      briefgen verify build/ministers.pdf
      briefgen verify --rebuild build/ministers.pdf
    """
    if rebuild:
        failed = False
        for output, rebuilt in zip(
            outputs, app.rebuild(project_dir, outputs, settings()), strict=True
        ):
            failed = failed or not rebuilt.identical
            if rebuilt.refused:
                click.echo(f"{output}: not rebuilt: the check refuses the brief '{rebuilt.brief}'")
                _show_brief_errors(rebuilt.refused)
            elif rebuilt.difference is not None:
                click.echo(
                    f"{output}: differs from a fresh build of the brief '{rebuilt.brief}' "
                    f"(first difference at byte {rebuilt.difference})"
                )
            else:
                click.echo(f"{output}: rebuilt, identical")
        sys.exit(1 if failed else 0)
    stale = False
    for verified in app.verify(project_dir, outputs, settings()):
        if verified.problems:
            stale = True
            click.echo(f"{verified.output}: out of date")
            for problem in verified.problems:
                click.echo(f"  {problem}")
        else:
            click.echo(f"{verified.output}: matches its inputs")
    sys.exit(1 if stale else 0)


# --------------------------------------------------------------------------- watch


@cli.command(context_settings=CONTEXT)
@click.argument("briefs", nargs=-1, required=True)
@click.option("--to", "formats", default="pdf", show_default=True, help="Formats to rebuild.")
@output_option
@project_option
def watch(
    briefs: tuple[str, ...], formats: str, output: Path | None, project_dir: Path | None
) -> None:
    """Rebuild BRIEFS whenever a section, the bibliography, a brief or a template changes.

    Prints the findings of each run and keeps watching after an error. Stop with Ctrl-C;
    exit 1 when the last run was refused or failed.

    \b
    Example:
      briefgen watch ministers --to pdf,html
    """
    wanted = _formats(formats)
    failed = False

    def show(outcome: BuildOutcome | Exception) -> None:
        nonlocal failed
        if isinstance(outcome, Exception):
            click.echo(f"briefgen: {outcome}", err=True)
            failed = True
        else:
            _show_findings(outcome, False, project_dir)
            failed = bool(outcome.refused)
            for built in outcome.built:
                files = ", ".join(_shown_path(p) for p in built.outputs.values())
                click.echo(f"rebuilt {built.brief} in {outcome.seconds:.1f} s: {files}", err=True)
            if outcome.skipped and not outcome.built and not outcome.refused:
                click.echo(f"up to date: {', '.join(outcome.skipped)}", err=True)
        click.echo("watching for changes (Ctrl-C to stop)", err=True)

    app.watch(project_dir, briefs, wanted, output, settings(), show)
    sys.exit(1 if failed else 0)


def _formats(value: str) -> list[str]:
    wanted = [f.strip().lower() for f in value.split(",") if f.strip()]
    bad = [f for f in wanted if f not in ("pdf", "docx", "html")]
    if bad or not wanted:
        raise click.BadParameter(
            f"unknown format '{bad[0] if bad else value}': use pdf, docx, html", param_hint="--to"
        )
    return wanted


# --------------------------------------------------------------------------- ledger


@cli.command(context_settings=CONTEXT)
@click.argument("briefs", nargs=-1)
@format_option("csv", "json", default="csv")
@project_option
def claims(briefs: tuple[str, ...], fmt: str, project_dir: Path | None) -> None:
    """Print the claim ledger: one row per sentence, with a stable id, its keys and status.

    Status is cited, uncited, unknown-key, or exempt-judgment / exempt-recommendation /
    exempt-note. The id survives edits elsewhere in the file, so reviewers can track a claim.

    \b
    Example:
      briefgen claims ministers > ministers-claims.csv
      briefgen claims --format json
    """
    from briefgen import ledger

    rows = app.claims(project_dir, briefs, settings())
    text = ledger.ledger_csv(rows) if fmt == "csv" else ledger.ledger_json(rows) + "\n"
    click.echo(text, nl=False)


@cli.command(context_settings=CONTEXT)
@format_option("text", "json", default="text")
@project_option
def refs(fmt: str, project_dir: Path | None) -> None:
    """Report on the bibliography: who cites each entry, unused entries, missing fields.

    Also lists entries cited only once and the note: (verification status) where present.

    \b
    Example:
      briefgen refs
      briefgen refs --format json
    """
    from briefgen import ledger

    report = app.references(project_dir, settings())
    click.echo(json.dumps(report, indent=2) if fmt == "json" else ledger.references_text(report))


@cli.command(context_settings=CONTEXT)
@click.argument("brief_a")
@click.argument("brief_b")
@format_option("text", "json", default="text")
@project_option
def diff(brief_a: str, brief_b: str, fmt: str, project_dir: Path | None) -> None:
    """Show the sections and claims one brief has that the other lacks.

    Exit 1, with nothing compared, when either brief names an unknown audience or section or
    is marked above its audience's ceiling.

    \b
    Example:
      briefgen diff ministers public
    """
    from briefgen import ledger

    compared = app.diff(project_dir, brief_a, brief_b, settings())
    if compared.diff is None:
        _show_brief_errors(list(compared.errors))
        sys.exit(1)
    d = compared.diff
    click.echo(
        json.dumps(d, indent=2, ensure_ascii=False) if fmt == "json" else ledger.diff_text(d)
    )


# --------------------------------------------------------------------------- scaffolding


@cli.command(context_settings=CONTEXT)
@click.argument("kind", type=click.Choice(["section", "brief"]))
@click.argument("name")
@click.option("--brief", "brief", default=None, help="Also add the new section to this brief.")
@click.option(
    "--audience",
    default=None,
    help="The new brief's audience (default: the audience named NAME, else the first).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@project_option
def new(
    kind: str,
    name: str,
    brief: str | None,
    audience: str | None,
    force: bool,
    project_dir: Path | None,
) -> None:
    """Write a new section module or brief from a commented template.

    NAME is the section id or brief name: lowercase letters, digits and '-'. A section is
    in no brief until a brief lists it: --brief adds it to one.

    \b
    Example:
      briefgen new section cross-border-evidence --brief note
      briefgen new brief prosecutors
    """
    if kind == "brief" and brief is not None:
        raise click.UsageError("--brief is for a new section")
    if kind == "section" and audience is not None:
        raise click.UsageError("--audience is for a new brief")
    created = app.new(project_dir, kind, name, force, settings(), brief, audience)
    click.echo(f"wrote {created.written}", err=True)
    if created.added_to is not None:
        click.echo(f"added '{name}' to the sections of {created.added_to}", err=True)
    click.echo(created.next_step, err=True)


@cli.command(context_settings=CONTEXT)
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write into a directory that is not empty.")
def init(directory: Path | None, force: bool) -> None:
    """Create a working briefing project in DIRECTORY (default: the current directory).

    It has two audiences, two references, two sections and one brief, and passes
    'briefgen check' and 'briefgen build --all' straight away.

    \b
    Example:
      briefgen init my-briefs && cd my-briefs && briefgen build --all
    """
    target = directory if directory is not None else Path.cwd()
    written = app.init(target, force)
    click.echo(f"created a briefgen project in {target} ({len(written)} files)", err=True)
    enter = f"cd {target} && " if directory is not None else ""
    click.echo(
        f"next: {enter}briefgen check, then briefgen build --all; add a section of your own "
        "with: briefgen new section NAME --brief note",
        err=True,
    )


@cli.command("import", context_settings=CONTEXT)
@click.argument("draft", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--refs",
    "refs_map",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="YAML map from the draft's reference numbers to bibliography keys (1: key).",
)
@click.option("--prefix", default=None, help="Prefix for the new section ids (e.g. 'seed').")
@click.option("--force", is_flag=True, help="Overwrite existing section files.")
@project_option
def import_(
    draft: Path, refs_map: Path | None, prefix: str | None, force: bool, project_dir: Path | None
) -> None:
    """Turn a draft with numeric references into section modules.

    Splits DRAFT at its headings (also numbered ones such as '1. Technical opacity: ...'),
    converts [1] [2] to citation keys through --refs, and reports numbers with no mapping
    and sentences with no reference. Writes nothing over an existing file without --force.

    \b
    Example:
      briefgen import draft.txt --refs draft-refs.yaml --prefix draft
    """
    imported = app.import_draft(
        project_dir, draft, refs_map, prefix, force, settings(), dt.date.today()
    )
    for rel in imported.written:
        click.echo(f"wrote {rel}", err=True)
    for number, lines in imported.unmapped:
        where = ", ".join(str(n) for n in lines)
        click.echo(f"{draft}: reference [{number}] has no key in the map (lines {where})", err=True)
    for line, sentence in imported.uncited:
        click.echo(f"{draft}:{line}: no reference: {sentence}", err=True)
    click.echo(
        f"{len(imported.written)} sections, {len(imported.unmapped)} unmapped references, "
        f"{len(imported.uncited)} sentences without a reference: run 'briefgen check' next",
        err=True,
    )


# --------------------------------------------------------------------------- entry


def main(argv: list[str] | None = None) -> None:
    """Console entry point: the only place that turns errors into messages and exit codes."""
    try:
        cli.main(args=argv, prog_name="briefgen", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except BriefgenError as exc:
        for line in str(exc).splitlines() or ["error"]:
            click.echo(f"briefgen: {line}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug in briefgen, not bad input: one line unless debugging
        if Settings.from_env().debug:
            raise
        click.echo(
            f"briefgen: internal error: {type(exc).__name__}: {exc} "
            "(please report it; set BRIEFGEN_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(3)
