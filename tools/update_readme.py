"""Regenerate the --help section of README.md from the CLI itself, and its table of
rules from briefgen.findings.RULES.

    python tools/update_readme.py          # rewrite README.md
    python tools/update_readme.py --check  # exit 1 if README.md is out of date

tests/test_readme.py runs the check, so the README cannot drift from the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from briefgen.cli import cli
from briefgen.findings import RULES

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- help:begin -->", "<!-- help:end -->"
RULES_BEGIN, RULES_END = "<!-- rules:begin -->", "<!-- rules:end -->"


def help_text(args: list[str]) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="briefgen", terminal_width=100)
    return result.output.rstrip()


def help_section() -> str:
    parts = [f"### `briefgen --help`\n\n```\n{help_text([])}\n```"]
    for name in sorted(cli.commands):  # type: ignore[attr-defined]
        parts.append(f"### `briefgen {name} --help`\n\n```\n{help_text([name])}\n```")
    return "\n\n".join(parts)


def rules_section() -> str:
    rows = [f"| `{rule}` | {severity} | {text} |" for rule, (severity, text) in RULES.items()]
    return "\n".join(["| rule | severity | when |", "| --- | --- | --- |", *rows])


def _replace(text: str, begin: str, end: str, body: str) -> str:
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def updated(text: str) -> str:
    text = _replace(text, RULES_BEGIN, RULES_END, rules_section())
    return _replace(text, BEGIN, END, help_section())


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print("README.md is out of date: run python tools/update_readme.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
