"""Figures in text, in one normal form: what a fact-checker compares first.

A figure is a number (``20,254``, ``2.5``, ``46 million``, ``eleven``, ``10th``), a
percentage (``45%``, ``45 per cent``), an amount of money (its number: ``$3m`` is 3000000),
a date (``3 April 2026``, ``April 3, 2026``, ``2026-04-03``), a month (``June 2019``), a
year (a number) or a range of any of these (``2019-2021``, ``pp. 10-12``: both ends).

Each figure has *values*, canonical strings: ``n:20254``, ``p:45``, ``d:2026-04-03``,
``m:2019-06``, ``dm:04-03`` (a day and month without a year). A claim's figure is found in a
source when every value of it is among the source's values. A source's full date also
supplies its month, its day and month, and its year, so a source saying "3 April 2026"
supports "April 2026" and "2026" too; the day of a date is never a number of its own
("3 April" does not support "3 countries"). Numbers joined to letters (``COVID-19``,
``E2EE``, ``G7``) are names, not figures. The word "one" in a claim is not a figure
("one of the largest ..."); in a source it is the number 1.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORDS = {word: n for n, word in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
SCALES = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "millions": 10**6,
    "m": 10**6,
    "mn": 10**6,
    "billion": 10**9,
    "billions": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
}

_MONTH = r"(?P<{0}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD = "|".join(sorted(WORDS, key=len, reverse=True))
_NUMBER = (
    rf"(?P<{{0}}>{_NUM}|(?:{'|'.join(_TENS)})[- ](?:{'|'.join(_UNITS[1:10])})|{_WORD})"
    r"(?:\s?(?P<{0}scale>thousand|millions?|billions?|trillion|bn|mn|[kmb])\b)?"
    r"(?P<{0}ord>st|nd|rd|th)?"
    r"(?:\s?(?P<{0}pct>%|per\s?cent\b|percent\b|percentage points?\b))?"
)
_COMPOUND = re.compile(rf"(?:{'|'.join(_TENS)})[- ](?:{'|'.join(_UNITS[1:10])})", re.IGNORECASE)
# after a number: no letter, digit or slash joined to it; a hyphen only before a word
# ("three-year", "7-10-year-olds"); no decimal part left over
_AFTER = r"(?![\w/]|-\d|[.,]\d)"
FRACTIONS = {
    "half": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_PARTS = "|".join(FRACTIONS)
_SMALL = "|".join(["a", "an", *_UNITS[1:20]])
_DASH = r"\s?(?:-|–|—|to|and)\s?"  # "and" only after "between" (checked below)
_PATTERN = re.compile(
    "|".join(
        (
            r"(?P<iso>\b\d{4}-\d{2}-\d{2}\b)",
            rf"(?P<fraction>\b(?P<fn>{_SMALL})[- ](?P<fd>{_PARTS})s?\b)",
            rf"(?P<ratio>\b(?P<rn>{_SMALL}|\d+) in (?P<rd>{_SMALL}|\d+)\b)",
            r"(?P<ident>(?<![\w.,/-])\d+(?:/\d+)+(?![\w/-]))",
            r"(?P<dmy>\b(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+"
            + _MONTH.format("m1")
            + r"(?:,?\s+(?P<y1>\d{4}))?\b)",
            r"(?P<mdy>\b"
            + _MONTH.format("m2")
            + r"\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:,\s*|\s+)(?P<y2>\d{4})\b)",
            r"(?P<my>\b" + _MONTH.format("m3") + r"\s+(?P<y3>\d{4})\b)",
            r"(?P<range>(?<![\w.,/-])"
            + _NUMBER.replace("{0}", "a")
            + _DASH
            + _NUMBER.replace("{0}", "b")
            + _AFTER
            + ")",
            r"(?P<single>(?<![\w.,/-])" + _NUMBER.replace("{0}", "n") + _AFTER + ")",
        )
    ),
    re.IGNORECASE,
)


# Where a figure can start: a digit, or the start of a word that opens one (a number word,
# "a"/"an" before a fraction, a month). Every alternative of _PATTERN starts so; trying
# _PATTERN only there finds what finditer finds, without running its dozen alternatives
# and look-behinds at every character (four fifths of the evidence stage's time was that).
_OPENERS = sorted({*WORDS, *MONTHS}, key=len, reverse=True)
_STARTS = re.compile(
    r"\d|\b(?:" + "|".join(_OPENERS) + rf")|\ban?(?=[- ](?:{_PARTS})| in )", re.IGNORECASE
)


def _matches(text: str) -> list[re.Match[str]]:
    """``_PATTERN.finditer(text)``, tried only where a figure can start."""
    found: list[re.Match[str]] = []
    end = 0
    for start in _STARTS.finditer(text):
        at = start.start()
        if at < end:
            continue
        match = _PATTERN.match(text, at)
        if match is not None and match.end() > at:
            found.append(match)
            end = match.end()
    return found


class Figure(NamedTuple):
    raw: str  # as written
    start: int  # where it is in the text searched
    end: int
    values: tuple[str, ...]  # canonical values, all of which a source must hold


def _number(text: str, scale: str | None) -> Decimal | None:
    """The value of a number as written, with its scale word."""
    word = text.lower().replace("-", " ")
    if word in WORDS:
        value = Decimal(WORDS[word])
    elif " " in word and word.split()[0] in WORDS and word.split()[1] in WORDS:
        tens, unit = word.split()
        value = Decimal(WORDS[tens] + WORDS[unit])
    else:
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    if scale:
        value *= SCALES[scale.lower()]
    return value


def canonical(value: Decimal) -> str:
    """``2.50`` -> ``2.5``, ``2E+6`` -> ``2000000``: one spelling per number."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number_value(match: re.Match[str], name: str) -> str | None:
    value = _number(match.group(name), match.group(f"{name}scale"))
    if value is None:
        return None
    kind = "p" if match.group(f"{name}pct") else "n"
    return f"{kind}:{canonical(value)}"


def _date(year: str | None, month: str, day: str | None) -> tuple[str, ...]:
    m = MONTHS[month.lower().rstrip(".")]
    if day is None:
        return (f"m:{year}-{m:02d}",)
    d = int(day)
    if not 1 <= d <= 31:
        return ()
    if year is None:
        return (f"dm:{m:02d}-{d:02d}",)
    return (f"d:{year}-{m:02d}-{d:02d}",)


_DATES = {"dmy": ("y1", "m1", "d1"), "mdy": ("y2", "m2", "d2"), "my": ("y3", "m3", "")}


def _values(match: re.Match[str]) -> tuple[str, ...]:
    kind = match.lastgroup or ""
    if kind == "ident":
        return (f"id:{match.group('ident')}",)
    if kind == "iso":
        y, m, d = match.group("iso").split("-")
        return (f"d:{y}-{m}-{d}",) if 1 <= int(m) <= 12 and 1 <= int(d) <= 31 else ()
    if kind in ("fraction", "ratio"):
        return _ratio(match, kind)
    if kind in _DATES:
        year, month, day = _DATES[kind]
        return _date(match.group(year), match.group(month), match.group(day) if day else None)
    if kind == "range":
        return _range_values(match)
    return tuple(v for v in (_number_value(match, "n"),) if v)


def _ratio(match: re.Match[str], kind: str) -> tuple[str, ...]:
    """ "one-fifth", "a fifth", "one in five", "1 in 5": ``r:1/5``."""
    top, bottom = ("fn", "fd") if kind == "fraction" else ("rn", "rd")
    words = {"a": 1, "an": 1, **WORDS}
    n_text, d_text = match.group(top).lower(), match.group(bottom).lower()
    n = words[n_text] if n_text in words else int(n_text)
    d = FRACTIONS.get(d_text) or (words[d_text] if d_text in words else int(d_text))
    return (f"r:{n}/{d}",) if d else ()


def _range_values(match: re.Match[str]) -> tuple[str, ...]:
    a, b = _number_value(match, "a"), _number_value(match, "b")
    if a and b and match.group("bpct") and not match.group("apct"):
        a = "p:" + a[2:]  # "10-12%": both ends are percentages
    return tuple(v for v in (a, b) if v)


def _between(text: str, start: int) -> bool:
    return text[max(0, start - 8) : start].lower().rstrip().endswith("between")


def find_figures(text: str, claim: bool = True) -> list[Figure]:
    """The figures in ``text``, in order. In a claim the word "one" is no figure."""
    out: list[Figure] = []
    for match in _matches(text):
        kind = match.lastgroup
        raw = match.group(0)
        if (
            kind == "range"
            and (
                _COMPOUND.match(raw)  # "twenty-one", "Eighty-five percent": one number
                or (raw.lower().split()[1:2] == ["and"] and not _between(text, match.start()))
            )
        ):
            out.extend(find_figures_in(text, match.start(), match.end(), claim))
            continue
        values = _values(match)
        if not values or (claim and raw.lower() == "one"):
            continue
        out.append(Figure(raw, match.start(), match.end(), values))
    return out


def find_figures_in(text: str, start: int, end: int, claim: bool) -> list[Figure]:
    """The single numbers between ``start`` and ``end`` (a "2 and 3" that is no range)."""
    single = re.compile(r"(?<![\w.,/-])" + _NUMBER.replace("{0}", "n") + _AFTER, re.I)
    out = []
    for match in single.finditer(text, start, end):
        value = _number_value(match, "n")
        if value and not (claim and match.group(0).lower() == "one"):
            out.append(Figure(match.group(0), match.start(), match.end(), (value,)))
    return out


def source_values(text: str) -> frozenset[str]:
    """Every value a source text supports: its figures' values, and for each full date its
    month, its day and month and its year; for a month its year; for a range its ends."""
    values: set[str] = set()
    for figure in find_figures(text, claim=False):
        for value in figure.values:
            values.add(value)
            kind, _, rest = value.partition(":")
            if kind == "d":
                values.update((f"m:{rest[:7]}", f"dm:{rest[5:]}", f"n:{int(rest[:4])}"))
            elif kind == "m":
                values.add(f"n:{int(rest[:4])}")
    return frozenset(values)


def missing(figure: Figure, supported: frozenset[str]) -> bool:
    """Whether a source with ``supported`` values lacks the figure."""
    return not all(value in supported for value in figure.values)
