"""What the commands print about findings and outputs, shared by check, build and watch."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefgen import app
from briefgen.cli.group import settings, style

if TYPE_CHECKING:
    from briefgen.build import BuildOutcome
    from briefgen.findings import Finding


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


def show_findings(outcome: BuildOutcome, draft: bool, project_dir: Path | None) -> None:
    """On stderr, what 'check' would print for the briefs built (warnings too), then why
    the build was refused, if it was."""
    from briefgen import report
    from briefgen.build import refusing

    if outcome.findings:
        colour = sys.stderr.isatty() and settings().colour
        shown = from_here(outcome.findings, project_dir)
        text = report.as_text(shown, outcome.summary, style if colour else None)
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


def show_brief_errors(findings: list[Finding]) -> None:
    from briefgen import report

    for finding in findings:
        click.echo(report.finding_line(finding), err=True)
