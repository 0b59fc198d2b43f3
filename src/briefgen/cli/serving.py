"""briefgen serve: the workspace in the browser."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from briefgen import app
from briefgen.cli.group import cli, settings
from briefgen.cli.options import CONTEXT, project_option


@cli.command(context_settings=CONTEXT)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Keep the default: the workspace has no login, and "
              "anyone who can reach it can read every brief.")
@click.option("--open", "open_browser", is_flag=True, help="Open the workspace in the browser.")
@click.option("--editor-url", metavar="TEMPLATE",
              help="Make each file:line a link to your editor, e.g. "
              "'vscode://file/{path}:{line}:{column}'. Without it, file:line is copyable.")
@project_option
def serve(
    port: int, host: str, open_browser: bool, editor_url: str | None, project_dir: Path | None
) -> None:
    """A live workspace in the browser: briefs, findings, claims, references.

    Shows every brief with its audience, marking, words, reading grade and findings; each
    brief as its audience (or any other) would get it, with uncited sentences highlighted;
    the claim ledger and the references report. Pages update when a section, brief,
    briefgen.yaml or the bibliography is saved. Build buttons write to build/. Needs the
    serve extra: pip install 'briefgen[serve]'. Stop with Ctrl+C.
    """
    from briefgen.web import run

    run.require_extra()
    editor = run.check_editor_url(editor_url)
    root = app.project_root(project_dir).resolve()
    app.open_project(root, settings())  # no project, or none briefgen can read: say so now
    sock = run.listen(host, port)

    def ready(url: str) -> None:
        click.echo(f"briefgen workspace: {url} (Ctrl+C to stop)", err=True)
        if open_browser:
            webbrowser.open(url)

    run.serve(root, settings(), sock, editor, ready)
