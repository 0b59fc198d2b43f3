"""Regenerate the --help section of README.md from the CLI itself.

    python tools/update_readme.py          # rewrite README.md
    python tools/update_readme.py --check  # exit 1 if README.md is out of date

tests/test_readme.py runs the check, so the README cannot drift from the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from briefgen.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- help:begin -->", "<!-- help:end -->"


def help_text(args: list[str]) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="briefgen", terminal_width=100)
    return result.output.rstrip()


def help_section() -> str:
    parts = [f"### `briefgen --help`\n\n```\n{help_text([])}\n```"]
    for name in sorted(cli.commands):  # type: ignore[attr-defined]
        parts.append(f"### `briefgen {name} --help`\n\n```\n{help_text([name])}\n```")
    return "\n\n".join(parts)


def updated(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{help_section()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print("README.md --help section is out of date: run python tools/update_readme.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
