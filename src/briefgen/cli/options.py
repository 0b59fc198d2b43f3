"""Options shared by several commands, defined once as decorators (as sqlite-utils does),
and the parsing of their values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

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


def draft_option(func: F) -> F:
    return click.option(
        "--draft",
        is_flag=True,
        help="Build despite uncited claims, unknown keys and unsupported figures, with a DRAFT "
        "watermark and those sentences (and weakly supported ones) highlighted, into "
        "DIR/<brief>.draft.* (never over the real outputs).",
    )(func)


def no_project_templates_option(func: F) -> F:
    return click.option(
        "--no-project-templates",
        is_flag=True,
        help="Render with briefgen's own templates even when briefgen.yaml opts in to the "
        "project's (templates:), as for a pull request from outside the team.",
    )(func)


def parse_formats(value: str) -> list[str]:
    wanted = [f.strip().lower() for f in value.split(",") if f.strip()]
    bad = [f for f in wanted if f not in ("pdf", "docx", "html")]
    if bad or not wanted:
        raise click.BadParameter(
            f"unknown format '{bad[0] if bad else value}': use pdf, docx, html", param_hint="--to"
        )
    return wanted
