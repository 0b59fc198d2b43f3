"""The commands that write and prove outputs: build, verify, watch."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefgen import app
from briefgen.cli.group import cli, settings
from briefgen.cli.options import (
    CONTEXT,
    draft_option,
    no_project_templates_option,
    output_option,
    parse_formats,
    project_option,
)
from briefgen.cli.output import show_brief_errors, show_findings
from briefgen.cli.progress import BriefProgress, ScanProgress
from briefgen.files import from_cwd

if TYPE_CHECKING:
    from briefgen.build import BuildOutcome


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
@draft_option
@click.option("--force", is_flag=True, help="Rebuild even when the outputs are up to date.")
@no_project_templates_option
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
    A draft goes past uncited claims, unknown keys and unsupported figures only (never an
    unknown audience or section, nor a marking above the audience's ceiling) and writes
    <brief>.draft.* files, which 'verify' refuses; a draft PDF ends with a page listing the
    findings open in the brief and its sections (rule, file:line, message). A brief whose
    inputs, templates and tools are unchanged since its last build is not rendered again
    (--force renders it anyway); independent briefs are built in parallel. Project templates
    (code) are used only when briefgen.yaml opts in with 'templates: templates/'.

    \b
    Example:
      briefgen build --all
      briefgen build ministers --to pdf -o out/
    """
    wanted = parse_formats(formats)
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
    show_findings(outcome, draft, project_dir)
    sys.exit(1 if outcome.refused else 0)


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
                show_brief_errors(rebuilt.refused)
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
    wanted = parse_formats(formats)
    failed = False

    def show(outcome: BuildOutcome | Exception) -> None:
        nonlocal failed
        if isinstance(outcome, Exception):
            click.echo(f"briefgen: {outcome}", err=True)
            failed = True
        else:
            show_findings(outcome, False, project_dir)
            failed = bool(outcome.refused)
            for built in outcome.built:
                files = ", ".join(from_cwd(p) for p in built.outputs.values())
                click.echo(f"rebuilt {built.brief} in {outcome.seconds:.1f} s: {files}", err=True)
            if outcome.skipped and not outcome.built and not outcome.refused:
                click.echo(f"up to date: {', '.join(outcome.skipped)}", err=True)
        click.echo("watching for changes (Ctrl-C to stop)", err=True)

    app.watch(project_dir, briefs, wanted, output, settings(), show)
    sys.exit(1 if failed else 0)
