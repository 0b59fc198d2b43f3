"""Issue 14: whatever briefgen does not fully understand is an error with a clear message,
never a silent pass. Each case seen on the old main, with its exact message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import invoke

SECTION = "briefs/sections/probe.md"
HEAD = "---\ntitle: Probe\n---\n\n"  # the body starts on line 5
Copy = Callable[[str], Path]  # the conftest fixture that copies a sample project


def findings(project, body: str) -> list[tuple[int, int, str, str]]:
    """(line, column, rule, message) of every finding of a project whose one extra section
    has this body."""
    root = project("basic")
    (root / SECTION).write_text(HEAD + body, encoding="utf-8")
    result = invoke(["check", "--project", str(root), "--format", "json"])
    doc = json.loads(result.stdout)
    out = [
        (f["line"], f["column"], f["rule"], f["message"])
        for f in doc["findings"]
        if f["file"] == SECTION and f["rule"] != "orphan-section"  # the probe is in no brief
    ]
    errors = sum(1 for f in doc["findings"] if f["severity"] == "error")
    assert result.exit_code == (1 if errors else 0)
    assert doc["summary"]["errors"] == errors  # nothing counted that is not shown
    return out


# --------------------------------------------------------------------------- audience blocks


def test_a_misspelt_audience_class_is_an_error_not_an_ordinary_div(project: Copy) -> None:
    body = '::: {.audiance only="investigators" marking="TLP:AMBER"}\nSecret [@owen2015tor].\n:::\n'
    assert findings(project, body) == [
        (
            5,
            1,
            "markup",
            "unknown class 'audiance' (did you mean 'audience'?): correct it, or the div is "
            "read as ordinary text",
        )
    ]


def test_audience_attributes_without_the_class_are_an_error(project: Copy) -> None:
    body = (
        'Open [@owen2015tor].\n\n::: {only="investigators" marking="TLP:AMBER"}\n'
        "Secret [@owen2015tor].\n:::\n"
    )
    assert findings(project, body) == [
        (
            7,
            1,
            "markup",
            "only=, marking= on a div without the audience class would reach every audience: "
            'write ::: {.audience only="..."}',
        )
    ]


def test_audience_attributes_on_a_span_are_an_error(project: Copy) -> None:
    body = 'Open text and [secret text]{except="ministers"} [@owen2015tor].\n'
    assert findings(project, body) == [
        (
            5,
            28,
            "markup",
            "except= on a span without the audience class would reach every audience: put the "
            'text in a fenced div (::: {.audience only="..."} ... :::)',
        )
    ]


def test_an_audience_span_is_an_error_because_it_cannot_be_left_out(project: Copy) -> None:
    body = 'Open text and [secret]{.audience only="investigators"} [@owen2015tor].\n'
    assert findings(project, body) == [
        (
            5,
            23,
            "markup",
            "an audience span cannot be left out of a brief: put the text in a fenced div "
            '(::: {.audience only="..."} ... :::)',
        )
    ]


def test_a_fence_without_a_blank_line_before_it_is_text_and_an_error(project: Copy) -> None:
    body = (
        'Open text [@owen2015tor].\n::: {.audience only="investigators"}\n'
        "Secret [@owen2015tor].\n:::\n"
    )
    assert findings(project, body) == [
        (
            6,
            1,
            "markup",
            "'::: {.audience only=\"investigators\"}' is read as text, not as a fence: leave a "
            "blank line before it and start it at the beginning of the line",
        )
    ]


# --------------------------------------------------------------------------- exemption divs


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("judgement", "judgment"),
        ("recommendations", "recommendation"),
        ("notes", "note"),
        ("Judgment", "judgment"),
    ],
)
def test_a_variant_exemption_class_gets_did_you_mean(
    project: Copy, written: str, meant: str
) -> None:
    body = f"::: {written}\nWe assess that it works.\n:::\n"
    assert findings(project, body) == [
        (
            5,
            1,
            "markup",
            f"unknown class '{written}' (did you mean '{meant}'?): correct it, or the div is "
            "read as ordinary text",
        ),
        (
            6,
            1,
            "uncited-claim",
            "claim has no citation: cite a source ([@key]), or put analysis in a ::: judgment "
            "block",
        ),
    ]


def test_an_unclosed_judgment_is_an_error_at_the_line_that_opens_it(project: Copy) -> None:
    body = "::: judgment\nWe assess that it works.\n\nAn uncited fact after it.\n"
    assert findings(project, body) == [
        (
            5,
            1,
            "markup",
            "fenced div '::: judgment' is never closed: add a line ':::' where it ends (until "
            "then it runs to the end of the file)",
        )
    ]


def test_other_classes_are_allowed_and_fences_in_code_do_not_count(project: Copy) -> None:
    body = (
        "::: {.sidebar #s1}\nA [marked]{.mark} fact [@owen2015tor].\n:::\n\n"
        "```\n::: judgment\n```\n\n~~~ markdown\n:::\n~~~\n"
    )
    assert findings(project, body) == []


def test_classes_used_are_listed(project: Copy) -> None:
    root = project("basic")
    (root / SECTION).write_text(
        HEAD + "::: sidebar\nA [marked]{.mark} fact [@owen2015tor].\n:::\n", encoding="utf-8"
    )
    result = invoke(["list", "--project", str(root), "--format", "json"])
    classes = json.loads(result.stdout)["classes"]
    assert classes["mark"] == 1 and classes["sidebar"] == 1
    text = invoke(["list", "--project", str(root)]).stdout
    assert "Classes used on divs and spans: audience (1), judgment (1), mark (1), " in text


# --------------------------------------------------------------------------- sentence boundaries


@pytest.mark.parametrize("word", ["tasks", "reports", "month", "hand", "aims", "found", "code"])
def test_an_ordinary_word_never_merges_two_sentences(project: Copy, word: str) -> None:
    body = f"The unit completed its {word}. Investigators lack the keys.\n"
    result = findings(project, body)
    assert [(line, col, rule) for line, col, rule, _ in result] == [
        (5, 1, "uncited-claim"),
        (5, 26 + len(word), "uncited-claim"),
    ]


def test_a_cited_neighbour_does_not_cover_an_uncited_sentence(project: Copy) -> None:
    body = "Providers file reports. Investigators lack the keys [@owen2015tor].\n"
    assert findings(project, body) == [
        (
            5,
            1,
            "uncited-claim",
            "claim has no citation: cite a source ([@key]), or put analysis in a ::: judgment "
            "block",
        )
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Under Arts. 5 and 6 the parties cooperate [@owen2015tor].",
        "Pt. II and Ch. 3 set the rules [@owen2015tor].",
        "Reports rose in Jan.–Mar. 2026 across the region [@owen2015tor].",
        "The C.S.A.M. unit was formed in 2020 [@owen2015tor].",
        "Several states—e.g. France—agreed [@owen2015tor].",
        "See No. 5 on p. 4 of the report, cf. Art. 16 [@owen2015tor].",
        "Dr. Smith et al. found approx. 3.5 million reports [@owen2015tor].",
    ],
)
def test_abbreviations_of_the_field_do_not_cut_a_sentence(project: Copy, sentence: str) -> None:
    assert findings(project, sentence + "\n") == []


def test_an_ambiguous_boundary_with_one_uncited_side_is_reported(project: Copy) -> None:
    body = "Most reports come from the U.S. Providers must report them [@owen2015tor].\n"
    assert findings(project, body) == [
        (
            5,
            1,
            "ambiguous-boundary",
            "cannot tell whether the full stop of 'U.S.' ends a sentence, and the text on one "
            "side has no citation: cite it, or write 'U.S.\\ ' (backslash, space) to keep one "
            "sentence",
        )
    ]


def test_a_non_breaking_space_keeps_one_sentence(project: Copy) -> None:
    body = "Most reports from the U.S.\\ Providers reach NCMEC [@owen2015tor].\n"
    assert findings(project, body) == []


def test_a_citation_between_two_sentences_proves_the_boundary(project: Copy) -> None:
    body = "Most reports come from the U.S. [@owen2015tor] Providers must report them.\n"
    assert [(line, col, rule) for line, col, rule, _ in findings(project, body)] == [
        (5, 48, "uncited-claim")
    ]


def test_two_uncited_sides_of_a_doubt_are_one_finding(project: Copy) -> None:
    body = "Most reports come from the U.S. Providers must report them.\n"
    assert [(line, col, rule) for line, col, rule, _ in findings(project, body)] == [
        (5, 1, "uncited-claim")
    ]


# --------------------------------------------------------------------------- positions


def test_positions_hold_through_links_spans_footnotes_and_quotes(project: Copy) -> None:
    body = (
        "[Europol](https://www.europol.europa.eu/iocta) reports it [@owen2015tor]. "
        "[Investigators]{.mark} lack keys.\n"
        '"Quoted text opens this one." (Brackets open this one.) ¿Una pregunta?\n'
        "A note^[An uncited note sentence.] hangs here [@owen2015tor]. *Emphasis* starts this.\n"
    )
    got = [(line, col) for line, col, rule, _ in findings(project, body) if rule == "uncited-claim"]
    assert got == [(5, 75), (6, 1), (6, 31), (6, 57), (7, 9), (7, 63)]


def test_two_identical_sentences_are_two_findings(project: Copy) -> None:
    body = "The same claim. The same claim.\n\nThe same claim.\n"
    assert [(line, col) for line, col, _, _ in findings(project, body)] == [
        (5, 1),
        (5, 17),
        (7, 1),
    ]


# --------------------------------------------------------------------------- counting


def test_a_citation_only_footnote_is_a_citation_not_a_claim(project: Copy) -> None:
    root = project("basic")
    (root / SECTION).write_text(HEAD + "A claim.^[@owen2015tor]\n", encoding="utf-8")
    doc = json.loads(invoke(["check", "--project", str(root), "--format", "json"]).stdout)
    mine = [f["rule"] for f in doc["findings"] if f["file"] == SECTION]
    assert mine == ["orphan-section"]  # the probe is in no brief; nothing about the claim
    ledger = json.loads(invoke(["claims", "--project", str(root), "--format", "json"]).stdout)
    mine = [(c["text"], c["status"], c["keys"]) for c in ledger if c["file"] == SECTION]
    assert mine == [("A claim.", "cited", ["owen2015tor"])]


def test_a_code_only_paragraph_is_not_a_claim(project: Copy) -> None:
    body = "`briefgen check --strict`\n\nRun `briefgen check` before each release.\n"
    assert [(line, col, rule) for line, col, rule, _ in findings(project, body)] == [
        (7, 1, "uncited-claim")
    ]


def test_raw_html_divs_and_spans_are_held_to_the_same_rules(project: Copy) -> None:
    body = (
        '<div class="audiance" only="investigators">\nSecret [@owen2015tor].\n</div>\n\n'
        'Some <span only="investigators">inline secret</span> text [@owen2015tor].\n'
    )
    assert findings(project, body) == [
        (
            5,
            1,
            "markup",
            "unknown class 'audiance' (did you mean 'audience'?): correct it, or the div is "
            "read as ordinary text",
        ),
        (
            9,
            6,
            "markup",
            "only= on a span without the audience class would reach every audience: put the "
            'text in a fenced div (::: {.audience only="..."} ... :::)',
        ),
    ]


def test_a_misspelt_attribute_on_an_audience_block_is_an_error(project: Copy) -> None:
    body = (
        "Open [@owen2015tor].\n\n"
        '::: {.audience except="ministers" markng="TLP:RED"}\nSecret [@owen2015tor].\n:::\n\n'
        '[Aside]{.mark onyl="investigators"} text [@owen2015tor].\n'
    )
    assert findings(project, body) == [
        (
            7,
            1,
            "markup",
            "unknown attribute 'markng=' (did you mean 'marking='?) on an audience div: an "
            "audience block takes only=, except= and marking=",
        ),
        (
            11,
            8,
            "markup",
            "unknown attribute 'onyl=' (did you mean 'only='?): correct it, or the span is read "
            "as ordinary text",
        ),
    ]


def test_spans_are_found_in_order_and_ordinary_classes_pass(project: Copy) -> None:
    body = (
        "A [first]{.quote} span and a [second]{.date} one [@owen2015tor].\n\n"
        "Later [a misspelt one]{.judgement} here [@owen2015tor].\n"
    )
    assert findings(project, body) == [
        (
            7,
            23,
            "markup",
            "unknown class 'judgement' (did you mean 'judgment'?): correct it, or the span is "
            "read as ordinary text",
        )
    ]
