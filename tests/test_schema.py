"""The one validator that walks a YAML mapping against a schema (briefgen.load.schema)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from briefgen.load.schema import (
    BOOL,
    COUNT,
    DATE,
    MARKING,
    NONBLANK,
    TEXT,
    Field,
    Problem,
    choice,
    validate,
)
from briefgen.load.yaml import load_yaml

SCHEMA = (
    Field("title", NONBLANK, required=True, message="missing required field 'title'"),
    Field("subtitle", TEXT),
    Field("draft", BOOL, default=False),
    Field("budget", COUNT, message="budget: a number of words", nullable=True),
    Field("marking", MARKING, default="TLP:CLEAR"),
    Field("look", choice("look", ("paper", "ministerial")), default="paper"),
    Field("reviewed", DATE, nullable=True),
)


def run(text: str, **options: int) -> tuple[dict[str, Any], list[Problem]]:
    data, node = load_yaml(text)
    assert isinstance(data, dict) and isinstance(node, yaml.MappingNode)
    return validate(data, node, SCHEMA, **options)


def test_a_valid_mapping_gives_its_values_and_the_defaults() -> None:
    values, problems = run(
        "title: '  A title '\nbudget: 300\nmarking: amber\nreviewed: 2024-05-01\n"
    )
    assert problems == []
    assert values == {
        "title": "A title",
        "subtitle": None,
        "draft": False,
        "budget": 300,
        "marking": "TLP:AMBER",
        "look": "paper",
        "reviewed": dt.date(2024, 5, 1),
    }


def test_unknown_key_with_a_suggestion_at_its_line() -> None:
    _, problems = run("title: T\n\nsubtitel: S\nzzz: 1\n")
    assert problems == [
        (3, "unknown field 'subtitel' (did you mean 'subtitle'?)"),
        (4, "unknown field 'zzz'"),
    ]


def test_wrong_types_at_their_lines_in_one_wording_per_kind() -> None:
    values, problems = run("title: T\nsubtitle: [a]\ndraft: 1\nbudget: true\nreviewed: soon\n")
    assert problems == [
        (2, "subtitle must be text"),
        (3, "draft must be true or false"),
        (4, "budget: a number of words"),  # the field's own message
        (5, "reviewed must be a date written YYYY-MM-DD"),
    ]
    assert values["draft"] is False and values["budget"] is None  # the defaults


def test_bad_values_quote_the_value() -> None:
    _, problems = run("title: T\nmarking: TLP:WHITE\nlook: papr\n")
    assert problems == [
        (2, "marking 'TLP:WHITE' is TLP 1.0: TLP 2.0 calls it TLP:CLEAR"),
        (3, "unknown look 'papr' (did you mean 'paper'?): use one of paper, ministerial"),
    ]


def test_missing_required_at_the_given_line_and_a_blank_one_at_its_own() -> None:
    assert run("subtitle: S\n", line=7) == (
        {**run("title: T\nsubtitle: S\n")[0], "title": None},
        [(7, "missing required field 'title'")],
    )
    assert run("subtitle: S\ntitle: '  '\n")[1] == [(2, "missing required field 'title'")]


def test_null_counts_as_left_out_only_where_the_field_says_so() -> None:
    assert run("title: T\nbudget: ~\nreviewed:\n")[1] == []
    assert run("title: T\nsubtitle: ~\n")[1] == [(2, "subtitle must be text")]


def test_offset_moves_every_line() -> None:
    """A front matter starts on the file's second line."""
    _, problems = run("subtitle: [a]\nsubtitel: S\n", offset=1)
    assert problems == [
        (3, "unknown field 'subtitel' (did you mean 'subtitle'?)"),
        (2, "missing required field 'title'"),
        (2, "subtitle must be text"),
    ]
