"""The figure normaliser of briefgen.evidence: one value per figure, whatever its spelling."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.evidence.figures import find_figures, source_values

UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
]  # fmt: skip


def values(text: str) -> list[tuple[str, ...]]:
    return [f.values for f in find_figures(text)]


def spellings(n: int) -> list[str]:
    """Ways a briefing paper writes the whole number ``n``."""
    out = [str(n), f"{n:,}"]
    if n and n % 10**6 == 0:
        out += [f"{n // 10**6:,} million", f"{n // 10**6}m"]
    if n and n % 10**9 == 0:
        out += [f"{n // 10**9} billion", f"{n // 10**9} bn"]
    if n and n % 1000 == 0:
        out.append(f"{n // 1000:,} thousand")
    if 2 <= n < len(UNITS):
        out += [UNITS[n], UNITS[n].capitalize()]
    return out


numbers = st.one_of(
    st.integers(min_value=2, max_value=10**12),
    st.integers(min_value=1, max_value=999).map(lambda n: n * 10**6),
    st.integers(min_value=2, max_value=12),
)


@given(numbers)
def test_any_spelling_of_a_number_is_one_value(n: int) -> None:
    found = {tuple(values(f"There were {s} reports.")) for s in spellings(n)}
    assert found == {((f"n:{n}",),)}


@given(numbers, numbers)
def test_different_numbers_never_match(a: int, b: int) -> None:
    if a == b:
        return
    for x in spellings(a):
        for y in spellings(b):
            assert values(f"in {x} cases") != values(f"in {y} cases")


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=0, max_value=9))
def test_percentages_spelled_any_way_are_one_value(whole: int, tenth: int) -> None:
    number = f"{whole}.{tenth}" if tenth else str(whole)
    forms = [f"{number}%", f"{number} percent", f"{number} per cent"]
    assert {tuple(values(f"a rise of {form} in")) for form in forms} == {((f"p:{number}",),)}
    assert values(f"{number}%") != values(f"{number} cases")  # a share is not a count


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_spelling_of_a_date_is_one_value(day: dt.date) -> None:
    month = day.strftime("%B")
    forms = [
        f"{day.day} {month} {day.year}",
        f"{month} {day.day}, {day.year}",
        day.isoformat(),
        f"{day.day} {month[:3]} {day.year}",
        f"{day.day}th {month} {day.year}",
    ]
    assert {tuple(values(f"On {form} it ended.")) for form in forms} == {
        ((f"d:{day.isoformat()}",),)
    }


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
)
def test_different_dates_never_match(a: dt.date, b: dt.date) -> None:
    if a != b:
        assert values(f"{a.day} {a:%B %Y}") != values(f"{b.day} {b:%B %Y}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45 percent of 20,254 reports", [("p:45",), ("n:20254",)]),
        ("about 2 million users", [("n:2000000",)]),
        ("eleven states and twenty-one parties", [("n:11",), ("n:21",)]),
        ("one of the largest, COVID-19, E2EE, G7 and 5G", []),
        ("pp. 10–12 and 2019-2021", [("n:10", "n:12"), ("n:2019", "n:2021")]),
        ("between 2 and 3, then 4 and 5", [("n:2", "n:3"), ("n:4",), ("n:5",)]),
        ("10-12% of them", [("p:10", "p:12")]),
        ("one in five, one-fifth, a fifth", [("r:1/5",), ("r:1/5",), ("r:1/5",)]),
        ("Regulation (EU) 2021/1232 in June 2019", [("id:2021/1232",), ("m:2019-06",)]),
        ("a three-year, 7–10-year-olds", [("n:3",), ("n:7", "n:10")]),
        ("the 10th edition, 2.50 and 2.5", [("n:10",), ("n:2.5",), ("n:2.5",)]),
        ("$3m and €2.5 billion", [("n:3000000",), ("n:2500000000",)]),
        # a compound number word is one number, never a range from its tens to its unit
        ("Eighty-five percent of them", [("p:85",)]),
        ("eighty-five per cent and sixty four", [("p:85",), ("n:64",)]),
    ],
)
def test_figures_in_a_claim(text: str, expected: list[tuple[str, ...]]) -> None:
    assert values(text) == expected


def test_a_source_date_supports_its_month_day_and_year_but_not_a_count() -> None:
    held = source_values("It expired on 3 April 2026.")
    assert {"d:2026-04-03", "m:2026-04", "dm:04-03", "n:2026"} <= held
    assert "n:3" not in held  # "3 April" does not support "3 countries"


def test_the_word_one_is_a_number_in_a_source_only() -> None:
    assert values("one of the largest") == []
    assert "n:1" in source_values("one server")


def test_positions_are_where_the_figure_is_written() -> None:
    text = "In 2019, 45 per cent rose."
    assert [(f.raw, text[f.start : f.end]) for f in find_figures(text)] == [
        ("2019", "2019"),
        ("45 per cent", "45 per cent"),
    ]


_PIECES = st.sampled_from(
    [
        " ", "  ", "-", "–", ",", ".", "/", "%", "$", "€", "(", ")", "\n", "a", "an", "in",
        "and", "to", "between", "one", "two", "twenty", "Eighty-five", "fifth", "thirds",
        "half", "million", "bn", "k", "per cent", "percent", "st", "th", "May", "Sept.",
        "January", "jan", "3", "12", "2026", "2026-04-03", "1,000", "2.5", "E2EE", "COVID-19",
        "x", "word", "Anne", "month", "_", "é",
    ]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_figures_are_found_only_where_one_can_start_and_all_of_them(text: str) -> None:
    """Trying the figure pattern only at a digit or the start of a number word, a month or
    "a"/"an" finds exactly what running it at every character finds."""
    from briefgen.evidence import figures

    every = [(m.start(), m.end(), m.lastgroup) for m in figures._PATTERN.finditer(text)]
    tried = [(m.start(), m.end(), m.lastgroup) for m in figures._matches(text)]
    assert tried == every
