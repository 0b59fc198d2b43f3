"""Issue 15: YAML in content stays plain data (briefgen.load.yaml.load_yaml)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import invoke

Copy = Callable[[str], Path]

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def check_section(project: Copy, front: str) -> tuple[int, list[str]]:
    root = project("basic")
    (root / "briefs/sections/probe.md").write_text(
        f"---\n{front}---\n\nText [@owen2015tor].\n", encoding="utf-8"
    )
    result = invoke(["check", "--project", str(root)])
    lines = [
        line for line in result.stdout.splitlines() if line.startswith("briefs/sections/probe.md:")
    ]
    return result.exit_code, lines


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        (
            "title: &t X\nsummary: *t\n",
            "briefs/sections/probe.md:2:1: error front-matter: YAML aliases (*name) are not "
            "allowed: write the value out",
        ),
        (
            "title: X\ntitle: Y\n",
            "briefs/sections/probe.md:3:1: error front-matter: 'title' is given twice: keep one",
        ),
        (
            "title: X\nreviewed: 2026-02-30\n",
            "briefs/sections/probe.md:3:1: error front-matter: not a real date (day is out of "
            "range for month): write YYYY-MM-DD",
        ),
        (
            'title: "\\ud800"\n',
            "briefs/sections/probe.md:2:1: error front-matter: text holds a lone surrogate (not "
            "Unicode): delete it",
        ),
    ],
    ids=["alias", "duplicate-key", "impossible-date", "surrogate"],
)
def test_front_matter_yaml_is_plain_data(project: Copy, front: str, expected: str) -> None:
    assert check_section(project, front) == (1, [expected])


def test_an_alias_bomb_is_refused_at_once(project: Copy) -> None:
    started = time.monotonic()
    code, lines = check_section(project, "title: X\n" + LAUGHS)
    assert time.monotonic() - started < 20
    assert code == 1
    assert lines[0].endswith("YAML aliases (*name) are not allowed: write the value out")


def test_deep_yaml_is_a_finding_not_an_internal_error(project: Copy) -> None:
    code, lines = check_section(project, "title: X\nsummary: " + "[" * 5000 + "]" * 5000 + "\n")
    assert code == 1
    assert "internal error" not in "\n".join(lines)
    assert lines and "error front-matter" in lines[0]


def test_allow_raw_must_be_a_real_boolean(project: Copy) -> None:
    root = project("basic")
    config = root / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + 'allow_raw: "false"\n', encoding="utf-8")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr.strip() == "briefgen: briefgen.yaml:16: allow_raw must be true or false"


def test_a_brief_with_a_duplicate_key_is_a_finding(project: Copy) -> None:
    root = project("basic")
    brief = root / "briefs/note.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + "title: Again\n", encoding="utf-8")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "briefs/note.yaml:" in result.stdout and "'title' is given twice: keep one" in result.stdout
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("lang: [en, fr]", "lang: a language tag such as en-GB"),
        ("lang: english", "lang: a language tag such as en-GB"),
        ("allow_raw: 1", "allow_raw must be true or false"),
    ],
)
def test_config_values_are_type_checked_at_their_line(
    project: Copy, line: str, message: str
) -> None:
    root = project("basic")
    config = root / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"briefgen: briefgen.yaml:16: {message}"


def test_a_word_budget_of_true_is_refused(project: Copy) -> None:
    root = project("basic")
    config = root / "briefgen.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("word_budget: 1500", "word_budget: true"),
        encoding="utf-8",
    )
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr.strip() == "briefgen: briefgen.yaml:9: word_budget: a number of words"
