"""The README's commands are run here, so the README cannot rot."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_example, invoke

README = (REPO / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    section = README.split("## Two commands on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_gives_exactly_two_commands() -> None:
    assert readme_commands() == [
        "pip install . && briefgen build --all",
        "pip install '.[test]' && pytest",
    ]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_help_in_readme_is_current() -> None:
    spec = importlib.util.spec_from_file_location(
        "update_readme", REPO / "tools" / "update_readme.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.updated(README) == README, "run: python tools/update_readme.py"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's own briefing project."""
    return copy_example(tmp_path_factory.mktemp("example"))


def test_readme_build_command_builds_every_example_brief(example: Path) -> None:
    result = invoke(["build", "--all"], cwd=example)
    assert result.exit_code == 0, result.output
    for brief in ("ministers", "prosecutors", "investigators", "public"):
        for ext in ("pdf", "docx", "html", "manifest.json"):
            assert (example / "build" / f"{brief}.{ext}").stat().st_size > 0


def test_repository_passes_check_strict() -> None:
    result = invoke(["check", "--strict", "--project", str(REPO)])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(": 0 errors, 0 warnings\n")


def workflow_blocks() -> dict[str, list[str]]:
    section = README.split("## Workflows", 1)[1].split("\n## ", 1)[0]
    blocks = {}
    for part in section.split("\n### ")[1:]:  # a workflow told in prose alone has no block
        title = part.split("\n", 1)[0]
        block = re.search(r"```console\n(.+?)\n```", part, re.S)
        if block is not None:
            blocks[title] = block.group(1).splitlines()
    return blocks


def test_readme_workflows_run_as_written(tmp_path: Path) -> None:
    blocks = workflow_blocks()
    assert list(blocks) == [
        "I edit a section",
        "I build a brief for a meeting",
        "I guard a repository in CI",
    ]
    root = tmp_path / "project"
    assert invoke(["init", str(root)]).exit_code == 0
    for title, commands in blocks.items():
        for command in commands:
            assert command.startswith("briefgen ")
            result = invoke(command.split()[1:], cwd=root)
            assert "Traceback" not in result.output
            # the new section still holds its placeholder citation [@key]: check says so
            wanted = 1 if command == "briefgen check" else 0
            assert result.exit_code == wanted, (command, result.output)
        if title == "I edit a section":  # the editor sources the new section ...
            new = root / "briefs/sections/cross-border-evidence.md"
            text = new.read_text().replace("@key", "@owen2015tor")
            text = text.replace("Your unit", "Cybercrime team")  # ... and its placeholders
            text = text.replace(
                "Write a one-sentence summary of the section here", "Evidence crosses borders"
            )
            new.write_text(text, encoding="utf-8")
    assert (root / "build" / "note.pdf").is_file()
