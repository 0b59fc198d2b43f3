"""Issue 15: content never changes a brief's audience, marking or title except through the
front matter and audience blocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.test_fail_closed import findings

Copy = Callable[[str], Path]


def test_a_metadata_block_in_a_section_body_is_an_error(project: Copy) -> None:
    body = (
        "Open text [@owen2015tor].\n\n---\ntitle: Forged\nbriefgen-audience: ministers\n---\n\n"
        "A rule below is no metadata [@owen2015tor].\n\n---\n\nEnd [@owen2015tor].\n"
    )
    assert findings(project, body) == [
        (
            7,
            1,
            "markup",
            "a YAML metadata block (briefgen-audience, title) inside a section would set the "
            "brief's own metadata: move the fields to the front matter, or write a rule as *** "
            "instead of ---",
        )
    ]


def test_a_metadata_block_refuses_build_and_draft(project: Copy) -> None:
    from tests.conftest import invoke

    root = project("basic")
    section = root / "briefs/sections/cooperation.md"
    section.write_text(
        section.read_text(encoding="utf-8") + "\n---\nbriefgen-audience: investigators\n---\n",
        encoding="utf-8",
    )
    for extra in ([], ["--draft"]):
        result = invoke(["build", "note", "--to", "html", "--project", str(root), *extra])
        assert result.exit_code == 1
        assert "error markup: a YAML metadata block (briefgen-audience)" in result.stderr
    assert not (root / "build").exists() or not any((root / "build").glob("*.html"))


def test_an_audience_attribute_given_twice_is_an_error(project: Copy) -> None:
    body = (
        '::: {.audience only="investigators" only="ministers" marking="TLP:RED"}\n'
        "Secret [@owen2015tor].\n:::\n"
    )
    assert findings(project, body) == [
        (
            5,
            1,
            "markup",
            "only= given twice on one div: give each once (the check and the build would read "
            "different ones)",
        )
    ]
