"""The command group (with --version), and what every command reads: the settings and
the terminal's styles."""

from __future__ import annotations

from typing import Any

import click

from briefgen import __version__
from briefgen.cli.options import CONTEXT
from briefgen.settings import Settings


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


def settings() -> Settings:
    """The environment's settings, read once per command (main reads them too, for debug)."""
    return Settings.from_env()


def style(text: str, **kwargs: Any) -> str:
    return click.style(text, **kwargs)
