"""Statements that expire (#18 part 1): ``[...]{.dated until=YYYY-MM-DD}`` and ``as-of=``.

The date logic through its pure seam (``read_dates``), the check through the application
layer with a fixed "today" (Settings.today) and through the CLI, ``briefgen list``, the
config switch and the outputs. Sample projects are copied to a temporary directory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest

from briefgen import app
from briefgen.dated import read_dates
from briefgen.findings import Finding
from briefgen.scan import Dated
from briefgen.settings import Settings
from tests.conftest import invoke

Copy = Callable[[str], Path]
SECTION = "briefs/sections/probe.md"
HEAD = "---\ntitle: Probe\n---\n\n"  # the body starts on line 5
TODO = "check it is still true, then update the date or the text"
NEEDS = (
    "a dated span needs until=YYYY-MM-DD (the last day it holds) or as-of=YYYY-MM-DD (the "
    "day it was known to hold)"
)


def probe(project: Copy, body: str, config: str = "", in_brief: bool = True) -> Path:
    """The basic sample project with one more section (in the brief 'note', dated
    2026-11-23, for ministers), and lines added to its briefgen.yaml."""
    root = project("basic")
    (root / SECTION).write_text(HEAD + body, encoding="utf-8")
    if in_brief:
        brief = root / "briefs/note.yaml"
        brief.write_text(brief.read_text(encoding="utf-8") + "  - probe\n", encoding="utf-8")
    if config:
        yaml = root / "briefgen.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8") + config, encoding="utf-8")
    return root


def found(root: Path, today: dt.date, names: tuple[str, ...] = ()) -> list[tuple[object, ...]]:
    """(line, column, rule, message) of the probe's findings, checked on ``today``."""
    report = app.check(root, names, Settings(use_cache=False, today=today))
    return [(f.line, f.column, f.rule, f.message) for f in report.findings if f.file == SECTION]


def dated(attributes: dict[str, str], classes: tuple[str, ...] = ("dated",)) -> Dated:
    return Dated(5, 1, "span", classes, tuple(attributes.items()), "text", ())


# --------------------------------------------------------------------------- the dates


def test_dates_are_read_as_written() -> None:
    dates, problems = read_dates(dated({"until": "2026-04-03", "as-of": "2026-01-31"}))
    assert problems == []
    assert dates is not None
    assert (dates.until, dates.as_of) == (dt.date(2026, 4, 3), dt.date(2026, 1, 31))
    dates, problems = read_dates(dated({"as-of": "2026-07-02"}))
    assert dates is not None and dates.until is None and problems == []


@pytest.mark.parametrize(
    ("attributes", "classes", "problem"),
    [
        (
            {"until": "2026-02-30"},
            ("dated",),
            "until=2026-02-30 is not a day of the calendar: correct the date (YYYY-MM-DD)",
        ),
        (
            {"until": "3 April 2026"},
            ("dated",),
            'until="3 April 2026" is not a date: write it as YYYY-MM-DD',
        ),
        (
            {"as-of": "20260403"},
            ("dated",),
            'as-of="20260403" is not a date: write it as YYYY-MM-DD',
        ),
        ({"as-of": ""}, ("dated",), 'as-of="" is not a date: write it as YYYY-MM-DD'),
        ({}, ("dated",), NEEDS),
        (
            {"until": "2026-04-03", "lang": "de"},
            ("dated",),
            "unknown attribute 'lang=' on a dated span: a dated span takes only until= and as-of=",
        ),
        (
            {"untill": "2026-04-03"},
            ("dated",),
            "unknown attribute 'untill=' (did you mean 'until='?) on a dated span: a dated "
            "span takes only until= and as-of=",
        ),
        (
            {"until": "2026-04-03"},
            ("date",),
            "until= on a span without the dated class is not checked: write "
            "[text]{.dated until=YYYY-MM-DD}, or remove it",
        ),
        (
            {"until": "2026-01-01", "as-of": "2026-03-01"},
            ("dated",),
            "until=2026-01-01 is before as-of=2026-03-01: a statement cannot stop holding "
            "before the day it was known to hold: correct one of the dates",
        ),
    ],
)
def test_what_cannot_be_read_is_a_problem_never_a_pass(
    attributes: dict[str, str], classes: tuple[str, ...], problem: str
) -> None:
    assert read_dates(dated(attributes, classes)) == (None, [problem])


def test_a_date_given_twice_is_a_problem() -> None:
    statement = Dated(5, 1, "div", ("dated",), (("until", "2026-01-01"),) * 2, "t", ())
    assert read_dates(statement) == (None, ["until= given twice on one dated div: give it once"])


def test_dates_on_an_audience_block_are_left_to_the_markup_rule() -> None:
    assert read_dates(dated({"only": "x", "until": "2026-01-01"}, ("audience",))) == (None, [])


# --------------------------------------------------------------------------- the check


def test_a_statement_expires_the_day_after_its_until_date(project: Copy) -> None:
    body = "[The derogation applies until 3 April 2026.]{.dated until=2026-04-03} [@budapest2001]\n"
    root = probe(project, body)
    assert found(root, dt.date(2026, 4, 3)) == []
    assert found(root, dt.date(2026, 4, 4)) == [
        (
            5,
            45,
            "expired-statement",
            "dated statement 'The derogation applies until 3 April 2026.' holds until "
            f"2026-04-03, which is before today (2026-04-04): {TODO}",
        )
    ]


def test_a_dated_div_expires_at_its_fence(project: Copy) -> None:
    body = (
        "Open [@owen2015tor].\n\n::: {.dated until=2026-04-03}\nIt applies [@budapest2001].\n:::\n"
    )
    root = probe(project, body)
    assert found(root, dt.date(2027, 1, 1)) == [
        (
            7,
            1,
            "expired-statement",
            "dated statement 'It applies.' holds until 2026-04-03, which is before today "
            f"(2027-01-01): {TODO}",
        )
    ]


def test_as_of_older_than_stale_after_days_is_stale(project: Copy) -> None:
    body = "The rate is [5%]{.dated as-of=2026-01-01} [@owen2015tor].\n"
    root = probe(project, body, "stale_after_days: 30\n")
    assert found(root, dt.date(2026, 1, 31)) == []
    assert found(root, dt.date(2026, 2, 1)) == [
        (
            5,
            17,
            "stale-statement",
            "dated statement '5%' is as of 2026-01-01, 31 days before today (2026-02-01), more "
            f"than stale_after_days (30): {TODO}",
        )
    ]
    yaml = root / "briefgen.yaml"
    yaml.write_text(yaml.read_text().replace("stale_after_days: 30\n", ""))
    assert found(root, dt.date(2040, 1, 1)) == []  # no stale_after_days: nothing is stale


def test_a_brief_is_checked_on_its_own_date(project: Copy) -> None:
    """The brief 'note' is dated 2026-11-23: what expires after that is no concern of it."""
    body = "[It applies.]{.dated until=2026-12-01} [@owen2015tor]\n"
    root = probe(project, body)
    assert found(root, dt.date(2027, 1, 1), ("note",)) == []
    assert [f[2:] for f in found(root, dt.date(2027, 1, 1))] == [
        (
            "expired-statement",
            f"dated statement 'It applies.' holds until 2026-12-01, which is before today "
            f"(2027-01-01): {TODO}",
        )
    ]
    (root / SECTION).write_text(HEAD + body.replace("2026-12-01", "2026-11-01"))
    assert [f[3] for f in found(root, dt.date(2026, 1, 1), ("note",))] == [
        "dated statement 'It applies.' holds until 2026-11-01, which is before the date of "
        f"brief 'note' (2026-11-23): {TODO}"
    ]


def test_a_brief_without_a_date_is_checked_on_today(project: Copy) -> None:
    root = probe(project, "[It applies.]{.dated until=2026-11-01} [@owen2015tor]\n")
    brief = root / "briefs/note.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("date: 2026-11-23\n", ""))
    assert found(root, dt.date(2026, 11, 1), ("note",)) == []
    assert [f[3] for f in found(root, dt.date(2026, 11, 2), ("note",))] == [
        f"dated statement 'It applies.' holds until 2026-11-01, which is before today "
        f"(2026-11-02): {TODO}"
    ]


def test_a_statement_the_briefs_audience_never_reads_does_not_expire_for_it(
    project: Copy,
) -> None:
    body = (
        "Open [@owen2015tor].\n\n"
        '::: {.audience only="investigators" marking="TLP:AMBER"}\n'
        "[Secret.]{.dated until=2020-01-01} [@owen2015tor]\n:::\n"
    )
    root = probe(project, body, in_brief=False)
    brief = root / "briefs/inv.yaml"
    brief.write_text("title: T\naudience: investigators\ndate: 2026-11-23\nsections: [probe]\n")
    assert [f[2] for f in found(root, dt.date(2030, 1, 1))] == ["expired-statement"]
    assert [f[2] for f in found(root, dt.date(2030, 1, 1), ("inv",))] == ["expired-statement"]
    (brief).write_text(brief.read_text().replace("investigators", "ministers"))
    root.joinpath("briefgen.yaml").write_text(
        root.joinpath("briefgen.yaml").read_text().replace("TLP:GREEN", "TLP:AMBER")
    )
    assert found(root, dt.date(2030, 1, 1), ("inv",)) == []


def test_dated_text_is_still_a_claim(project: Copy) -> None:
    body = (
        "[The derogation applies until 3 April 2026.]{.dated until=2099-04-03}\n\n"
        "::: {.dated as-of=2026-07-02}\nThe Regulation applies from August 2026.\n:::\n"
    )
    assert [f[:3] for f in found(probe(project, body), dt.date(2026, 1, 1))] == [
        (5, 1, "uncited-claim"),
        (8, 1, "uncited-claim"),
    ]


def test_dates_elsewhere_are_errors(project: Copy) -> None:
    body = (
        "## A heading {until=2026-01-01}\n\n"
        "A [link](https://example.org){.dated as-of=2026-01-01} [@owen2015tor].\n\n"
        "A [span]{.dated until=2026-01-01 onclick=alert(1)} [@owen2015tor].\n"
    )
    assert found(probe(project, body), dt.date(2026, 1, 1)) == [
        (
            5,
            15,
            "dated-attribute",
            "until= on a heading is not checked: a date goes on a dated span or div "
            "([text]{.dated until=YYYY-MM-DD}) around the statement",
        ),
        (
            7,
            10,
            "dated-attribute",
            "as-of= on a link is not checked: a date goes on a dated span or div "
            "([text]{.dated until=YYYY-MM-DD}) around the statement",
        ),
        (
            9,
            9,
            "dated-attribute",
            "unknown attribute 'onclick=' on a dated span: a dated span takes only until= "
            "and as-of=",
        ),
    ]


# --------------------------------------------------------------------------- hostile input


def test_nested_dated_spans_are_each_held_to_their_dates(project: Copy) -> None:
    body = (
        "[Outer [inner]{.dated until=2026-01-01} text]{.dated until=2026-06-01} [@owen2015tor].\n"
    )
    root = probe(project, body)
    assert found(root, dt.date(2026, 3, 1)) == [
        (
            5,
            15,
            "expired-statement",
            "dated statement 'inner' holds until 2026-01-01, which is before today "
            f"(2026-03-01): {TODO}",
        )
    ]
    assert [f[1] for f in found(root, dt.date(2026, 7, 1))] == [15, 46]


def test_a_dated_span_in_a_footnote_is_found_in_the_footnote(project: Copy) -> None:
    body = (
        "Open text.[^1]\n\n[^1]: [It applied until 2020.]{.dated until=2020-12-31} [@owen2015tor]\n"
    )
    assert found(probe(project, body), dt.date(2026, 1, 1)) == [
        (
            7,
            31,
            "expired-statement",
            "dated statement 'It applied until 2020.' holds until 2020-12-31, which is before "
            f"today (2026-01-01): {TODO}",
        )
    ]


def test_long_and_non_ascii_text_is_shortened_in_the_message_not_in_the_finding(
    project: Copy,
) -> None:
    text = "Die Ausnahmeregelung für Anbieter in Österreich gilt bis April 2026 " + "— weiter " * 40
    body = f"Übersicht: [{text.strip()}]{{.dated until=2026-04-03}} [@owen2015tor].\n"
    report = app.check(
        probe(project, body), (), Settings(use_cache=False, today=dt.date(2027, 1, 1))
    )
    (finding,) = [f for f in report.findings if f.file == SECTION]
    assert (finding.line, finding.column) == (5, len(f"Übersicht: [{text.strip()}]{{"))
    assert finding.message == (
        "dated statement 'Die Ausnahmeregelung für Anbieter in Österreich gilt bis Ap…' "
        f"holds until 2026-04-03, which is before today (2027-01-01): {TODO}"
    )
    assert finding.text == " ".join(text.split())


# --------------------------------------------------------------------------- the CLI


def test_check_warns_and_strict_fails(project: Copy) -> None:
    root = probe(project, "[It applied.]{.dated until=2001-01-01} [@owen2015tor]\n")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 0
    assert (
        f"{SECTION}:5:14: warning expired-statement: dated statement 'It applied.' holds until "
        "2001-01-01, which is before today"
    ) in result.stdout
    assert "\n    It applied.\n" in result.stdout
    assert invoke(["check", "--strict", "--project", str(root)]).exit_code == 1
    doc = json.loads(invoke(["check", "--format", "json", "--project", str(root)]).stdout)
    (row,) = [f for f in doc["findings"] if f["rule"] == "expired-statement"]
    assert (row["severity"], row["file"], row["line"], row["column"], row["text"]) == (
        "warning",
        SECTION,
        5,
        14,
        "It applied.",
    )


def test_a_bad_date_fails_the_check(project: Copy) -> None:
    root = probe(project, "[It applies.]{.dated until=2026-02-30} [@owen2015tor]\n")
    result = invoke(["check", "--project", str(root), "--format", "github"])
    assert result.exit_code == 1
    assert result.stdout == (
        f"::error file={SECTION},line=5,col=14,title=dated-attribute::dated-attribute: "
        "until=2026-02-30 is not a day of the calendar: correct the date (YYYY-MM-DD) — "
        "It applies.\n"
    )
    build = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert build.exit_code == 1 and not (root / "build/note.html").exists()


def test_the_check_snapshot_is_kept_per_day(project: Copy, runs: list[tuple[str, ...]]) -> None:
    """The same files checked on another day are checked again: a statement may have
    expired since; on the same day the snapshot answers."""
    root = probe(project, "[It applies.]{.dated until=2026-04-03} [@owen2015tor]\n")
    for day, expected in [(3, []), (4, ["expired-statement"]), (3, []), (3, [])]:
        report = app.check(root, (), Settings(today=dt.date(2026, 4, day)))
        assert [f.rule for f in report.findings if f.file == SECTION] == expected
    assert len(runs) == 3  # the last check was answered from the snapshot
    assert (root / ".briefgen-cache").is_dir()


def test_list_shows_what_expires_within_90_days_soonest_first(project: Copy) -> None:
    today = dt.date.today()  # the CLI reads the clock: dates relative to it

    def day(n: int) -> str:
        return (today + dt.timedelta(days=n)).isoformat()

    body = (
        f"[Later.]{{.dated until={day(90)}}} [@owen2015tor]\n\n"
        f"[Too far.]{{.dated until={day(91)}}} [@owen2015tor]\n\n"
        f"[Gone.]{{.dated until={day(-3)}}} [@owen2015tor]\n\n"
        f"[Last day.]{{.dated until={day(0)}}} [@owen2015tor]\n\n"
        "[Known.]{.dated as-of=2001-01-01} [@owen2015tor]\n"
    )
    root = probe(project, body)
    text = invoke(["list", "--project", str(root)]).stdout
    assert text.endswith(
        "Statements that expire within 90 days, or have expired\n"
        "until       when                   where                        statement\n"
        f"{day(-3)}  expired (3 days past)  {SECTION}:9   Gone.\n"
        f"{day(0)}  last day today         {SECTION}:11  Last day.\n"
        f"{day(90)}  90 days left           {SECTION}:5   Later.\n"
    )
    doc = json.loads(invoke(["list", "--format", "json", "--project", str(root)]).stdout)
    assert doc["expiring"][0] == {
        "until": day(-3),
        "days": -3,
        "file": SECTION,
        "line": 9,
        "column": 8,
        "text": "Gone.",
    }
    assert [row["text"] for row in doc["expiring"]] == ["Gone.", "Last day.", "Later."]


def test_list_with_nothing_dated_says_none(project: Copy) -> None:
    listed = app.listing(project("basic"), Settings(use_cache=False), dt.date(2026, 1, 1))
    assert listed.data["expiring"] == []
    from briefgen.catalog import as_text

    assert as_text(listed.data).endswith(
        "Statements that expire within 90 days, or have expired\nnone"
    )


# --------------------------------------------------------------------------- outputs


def test_show_as_of_must_be_true_or_false(project: Copy) -> None:
    root = probe(project, "Open [@owen2015tor].\n", "show_as_of: maybe\n")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    lines = len((root / "briefgen.yaml").read_text().splitlines())
    assert result.stderr == f"briefgen: briefgen.yaml:{lines}: show_as_of must be true or false\n"


BODY = (
    "[The derogation applies until 3 April 2099.]{.dated until=2099-04-03} [@budapest2001]\n\n"
    "The rate is [five per cent]{.dated as-of=2026-07-02} [@owen2015tor].\n\n"
    "::: {.dated as-of=2026-07-02}\nThe Regulation applies from August 2026 [@owen2015tor].\n:::\n"
)


@pytest.mark.parametrize("show", [False, True])
def test_the_markup_leaves_no_trace_in_the_outputs(project: Copy, show: bool) -> None:
    root = probe(project, BODY, "show_as_of: true\n" if show else "")
    formats = "html,pdf" if show else "html,docx"
    result = invoke(["build", "note", "--to", formats, "--project", str(root)])
    assert result.exit_code == 0, result.stderr
    html = (root / "build/note.html").read_text(encoding="utf-8")
    for trace in ("dated", "until=", "as-of", "data-until", "data-as-of"):
        assert trace not in html
    assert "The derogation applies until 3 April 2099." in html
    as_of = "five per cent (as of 2 July 2026)"
    assert (as_of in html) is show
    assert html.count("(as of 2 July 2026)") == (2 if show else 0)  # the span's, the div's
    assert ("[1]</a></span>. (as of 2 July 2026)</p>" in html) is show  # after the div's text
    if show:
        pdf = " ".join(p.extract_text() for p in pypdf.PdfReader(root / "build/note.pdf").pages)
        assert as_of in " ".join(pdf.split())
        assert "dated" not in pdf
    else:
        from docx import Document

        text = "\n".join(p.text for p in Document(str(root / "build/note.docx")).paragraphs)
        assert "The rate is five per cent [1]." in text and "as of" not in text


def test_a_dated_note_stays_a_note_without_its_date(project: Copy) -> None:
    body = (
        "Cited [@owen2015tor]. [Reported, not confirmed.]{.note .dated as-of=2026-07-02}\n\n"
        "::: {.note .dated until=2099-01-01}\nStatus as of today.\n:::\n"
    )
    root = probe(project, body)
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0, result.stderr
    html = " ".join((root / "build/note.html").read_text(encoding="utf-8").split())
    for trace in ("dated", "until", "as-of", "2099"):
        assert trace not in html
    assert '<span class="note"><strong>Note:</strong> Reported, not confirmed.</span>' in html
    assert '<div class="note"> <p><strong>Note</strong></p> <p>Status as of today.</p>' in html


def test_findings_sort_and_show_like_any_other() -> None:
    finding = Finding(SECTION, 5, 1, "stale-statement", "m", "t")
    assert finding.severity == "warning"
    assert Finding(SECTION, 5, 1, "dated-attribute", "m").severity == "error"


def test_watch_and_a_rebuild_hold_statements_to_the_day_they_run(project: Copy) -> None:
    """A brief without a date: is held to today, in watch's builds as in check's."""
    from briefgen.watch import watch

    root = probe(project, "The derogation applies [@owen2015tor]{.dated until=2026-04-03}.\n")
    brief = root / "briefs/note.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text("\n".join(x for x in text.split("\n") if not x.startswith("date:")))
    outcomes: list[object] = []
    runs = watch(
        root,
        ["note"],
        ["html"],
        root / "build",
        outcomes.append,
        changes=iter(()),
        today=dt.date(2026, 11, 29),
    )
    assert runs == 1
    (outcome,) = outcomes
    rules = [f.rule for f in outcome.findings if f.file == SECTION]  # type: ignore[attr-defined]
    assert rules == ["expired-statement"]
