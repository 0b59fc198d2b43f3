"""The command line: parse options, call the library, print, set the exit code.

Nothing below the CLI prints or exits; every BriefgenError is turned into a one-line
message and an exit code here, in ``main``.

    options.py    the options several commands share, as decorators
    group.py      the command group, the settings and styles every command reads
    progress.py   progress bars on stderr, only on a terminal
    output.py     findings and output paths as the commands print them
    checking.py   check, list, claims, refs, diff
    building.py   build, verify, watch
    authoring.py  new, init, import
    serving.py    serve (the web workspace, briefgen.web)
"""

from __future__ import annotations

import sys

import click

# the command modules add their commands to the group as they are imported
from briefgen.cli import authoring, building, checking, serving  # noqa: F401
from briefgen.cli.group import cli
from briefgen.errors import BriefgenError
from briefgen.settings import Settings

__all__ = ["cli", "main"]


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
