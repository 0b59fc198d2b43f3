"""The commands that write a project's sources: new, init, import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from briefgen import app
from briefgen.cli.group import cli, settings
from briefgen.cli.options import CONTEXT, project_option
from briefgen.files import from_cwd


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

    A reference list closing the draft ('References' and numbered entries) is never a
    section. Without --refs, import matches its entries against the bibliography, writes
    the proposed map (DRAFT-refs.yaml in the project) for you to review, and stops.

    \b
    Example:
      briefgen import draft.txt --refs draft-refs.yaml --prefix draft
    """
    imported = app.import_draft(
        project_dir, draft, refs_map, prefix, force, settings(), dt.date.today()
    )
    if imported.proposed is not None:
        _proposed(draft, imported)
        return
    for rel in imported.written:
        click.echo(f"wrote {rel}", err=True)
    for number, lines in imported.unmapped:
        where = ", ".join(str(n) for n in lines)
        click.echo(f"{draft}: reference [{number}] has no key in the map (lines {where})", err=True)
    for line, sentence in imported.uncited:
        click.echo(f"{draft}:{line}: no reference: {sentence}", err=True)
    if imported.listed is not None:
        first, last = imported.listed
        click.echo(f"{draft}: the reference list (lines {first}-{last}) is not a section", err=True)
    click.echo(
        f"{len(imported.written)} sections, {len(imported.unmapped)} unmapped references, "
        f"{len(imported.uncited)} sentences without a reference: run 'briefgen check' next",
        err=True,
    )


def _proposed(draft: Path, imported: app.Imported) -> None:
    """What import did with a draft's own reference list: a map to review, and the step
    after that."""
    assert imported.listed is not None and imported.proposed is not None
    (first, last), (matched, entries) = imported.listed, imported.matched
    proposed = from_cwd(imported.proposed)
    click.echo(
        f"{draft}: a reference list of {entries} entries (lines {first}-{last}): {matched} "
        f"matched a bibliography entry; wrote the proposed map to {proposed}",
        err=True,
    )
    click.echo(
        f"next: review {proposed} (every key is a guess until checked), then run "
        f"'briefgen import {draft} --refs {proposed}'; no section was written yet",
        err=True,
    )
