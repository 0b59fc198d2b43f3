"""The commands that read a project and report on it: check, list, claims, evidence, refs,
diff."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from briefgen import app
from briefgen.cli.group import cli, settings, style
from briefgen.cli.options import CONTEXT, format_option, project_option
from briefgen.cli.output import from_here, show_brief_errors
from briefgen.cli.progress import ScanProgress


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
        click.echo(report.as_text(findings, summary, style if colour else None), color=colour)
    sys.exit(1 if result.failed(strict) else 0)


@cli.command("list", context_settings=CONTEXT)
@format_option("text", "json", default="text")
@project_option
def list_(fmt: str, project_dir: Path | None) -> None:
    """List briefs (audience, sections, marking, words) and sections (marking, owner, review).

    A section is 'stale' when its reviewed: date is older than stale_after_days in
    briefgen.yaml. Then the dated statements ([...]{.dated until=YYYY-MM-DD}) that expire
    within 90 days or have expired, soonest first, with file:line and text. Exit 1
    (after the listing) when a brief names an unknown audience or section or is marked
    above its audience's ceiling; the errors go to stderr.

    \b
    Example:
      briefgen list
      briefgen list --format json
    """
    from briefgen import catalog

    env = settings()
    listed = app.listing(project_dir, env, env.today)
    text = catalog.as_json(listed.data) if fmt == "json" else catalog.as_text(listed.data)
    click.echo(text)
    show_brief_errors(list(listed.errors))
    sys.exit(1 if listed.errors else 0)


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
@click.argument("claim_id", metavar="CLAIM-ID")
@format_option("text", "json", default="text")
@project_option
def evidence(claim_id: str, fmt: str, project_dir: Path | None) -> None:
    """Show a claim beside the best passages of its cited sources, figures marked [[ ]].

    Source texts are sources/<key>.md|.txt|.pdf|.html or the files named in an entry's
    file field. Each passage shows its source, page and score (0 to 1); the claim's
    support is its sources' best passages read together, weak below the threshold.

    \b
    Example:
      briefgen claims --format json      # find the claim's id
      briefgen evidence anonymity-1a2b3c4d
    """
    from briefgen.evidence.report import claim_evidence_text

    found = app.evidence(project_dir, claim_id, settings())
    if fmt == "json":
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        click.echo(claim_evidence_text(found["claim"], found, found["claim"]["keys"]))


@cli.command(context_settings=CONTEXT)
@format_option("text", "json", default="text")
@project_option
def refs(fmt: str, project_dir: Path | None) -> None:
    """Report on the bibliography: who cites each entry, unused entries, missing fields.

    Also lists entries cited only once, title words that will print in lower case, and the
    note: (verification status) where present.

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
        show_brief_errors(list(compared.errors))
        sys.exit(1)
    d = compared.diff
    click.echo(
        json.dumps(d, indent=2, ensure_ascii=False) if fmt == "json" else ledger.diff_text(d)
    )
