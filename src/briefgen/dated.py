"""Statements that expire: ``[...]{.dated until=YYYY-MM-DD}`` and ``as-of=YYYY-MM-DD``.

A dated statement is still a claim: the claim rule does not exempt it, so it needs its
citation like any other sentence. What it adds is a date the check holds it to:

- ``until=``: the day it stops being true. On a later day (the brief's ``date:``, or today
  for a check of the whole project) it is an ``expired-statement`` warning;
- ``as-of=``: the day it was known to be true. More than ``stale_after_days`` before that
  day it is a ``stale-statement`` warning, as a section's ``reviewed:`` date makes the
  section stale in ``briefgen list``.

Dates briefgen cannot read are never passed over (fail closed): a date that is malformed or
does not exist, a dated div or span with neither date or with another attribute, a date
attribute without the ``dated`` class, ``until`` before ``as-of``, or a date given twice, is
a ``dated-attribute`` error. "Today" is never read here: callers pass it in (``Settings``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from briefgen.findings import Finding, closest
from briefgen.markup import AUDIENCE_ATTRIBUTES, near_attribute
from briefgen.model import Brief, Project, Section
from briefgen.rules.audiences import included
from briefgen.scan import AUDIENCE_CLASS, DATED_ATTRIBUTES, DATED_CLASS, Dated, FileScan

UNTIL, AS_OF = DATED_ATTRIBUTES
SOON_DAYS = 90  # briefgen list shows the statements that expire within this many days
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TODO = "check it is still true, then update the date or the text"


@dataclass(frozen=True)
class Dates:
    until: dt.date | None  # the last day the statement holds
    as_of: dt.date | None  # the day it was known to hold


@dataclass(frozen=True)
class Reader:
    """Whom a section's statements are checked for, and on which day."""

    audiences: set[str] | None  # None: every audience
    day: dt.date
    label: str  # how the day is named in a finding: "today", "the date of brief 'x'"


def read_dates(statement: Dated) -> tuple[Dates | None, list[str]]:
    """The statement's dates, or None and what is wrong with its markup."""
    if AUDIENCE_CLASS in statement.classes:
        return None, []  # any other attribute on an audience block is a markup error
    names = [name for name, _ in statement.attributes if name in DATED_ATTRIBUTES]
    if DATED_CLASS not in statement.classes:
        given = ", ".join(f"{name}=" for name in dict.fromkeys(names))
        return None, [
            f"{given} on a {statement.element} without the dated class is not checked: "
            f"write {_example(statement.element, names[0])}, or remove it"
        ]
    values, problems = _read_attributes(statement)
    if not names and not problems:  # (an unknown attribute may be a misspelt date)
        problems.append(
            f"a dated {statement.element} needs until=YYYY-MM-DD (the last day it holds) or "
            "as-of=YYYY-MM-DD (the day it was known to hold)"
        )
    until, as_of = values.get(UNTIL), values.get(AS_OF)
    if until is not None and as_of is not None and until < as_of:
        problems.append(
            f"until={until.isoformat()} is before as-of={as_of.isoformat()}: a statement "
            "cannot stop holding before the day it was known to hold: correct one of the dates"
        )
    return (None if problems else Dates(until, as_of)), problems


def _read_attributes(statement: Dated) -> tuple[dict[str, dt.date], list[str]]:
    """The dates a dated div or span gives, by name, and what is wrong with its attributes
    (audience attributes, and typos of them, are the markup rule's: briefgen.markup)."""
    values: dict[str, dt.date] = {}
    problems: list[str] = []
    for name, value in statement.attributes:
        if name in DATED_ATTRIBUTES:
            problems.extend(_read_date(name, value, values, statement.element))
        elif name not in AUDIENCE_ATTRIBUTES and near_attribute(name) is None:
            problems.append(_unknown_attribute(name, statement.element))
    return values, problems


def _read_date(name: str, value: str, values: dict[str, dt.date], element: str) -> list[str]:
    """Read one date attribute into ``values``; return what is wrong with it."""
    if name in values:
        return [f"{name}= given twice on one dated {element}: give it once"]
    if not _DATE_RE.fullmatch(value):
        return [f'{name}="{_shorten(value, 40)}" is not a date: write it as YYYY-MM-DD']
    try:
        values[name] = dt.date.fromisoformat(value)
    except ValueError:
        return [f"{name}={value} is not a day of the calendar: correct the date (YYYY-MM-DD)"]
    return []


def _unknown_attribute(name: str, element: str) -> str:
    near = closest(name, DATED_ATTRIBUTES)
    hint = f" (did you mean '{near}='?)" if near else ""
    return (
        f"unknown attribute '{name}='{hint} on a dated {element}: a dated {element} takes "
        "only until= and as-of="
    )


def _example(element: str, name: str) -> str:
    if element == "div":
        return f"::: {{.dated {name}=YYYY-MM-DD}}"
    return f"[text]{{.dated {name}=YYYY-MM-DD}}"


# --------------------------------------------------------------------------- the check


def dated_findings(
    project: Project,
    sections: Sequence[Section],
    scans: dict[str, FileScan],
    briefs: Sequence[Brief],
    section_ids: Sequence[str],
    today: dt.date | None,
) -> list[Finding]:
    """The dated-attribute errors and the expired and stale statements of ``sections``.

    A check of the whole project (no ``briefs``), or of sections named on their own
    (``section_ids``), holds every statement to ``today``, for every audience; a check of
    briefs holds each statement to the date: of the briefs whose audience reads it (today,
    for a brief without one). ``today`` None: no clock was given, so only briefs' own
    dates are held to.
    """
    every = not briefs or bool(section_ids)
    stale_after = project.config.stale_after_days
    out: list[Finding] = []
    for section in sections:
        scan = scans[section.id]
        out.extend(_misplaced(section.rel, scan))
        readers = _readers(section, briefs, today, every)
        for statement in scan.dated:
            dates, problems = read_dates(statement)
            where = (section.rel, statement.line, statement.column)
            out.extend(Finding(*where, "dated-attribute", p, statement.text) for p in problems)
            seen = [r for r in readers if included(statement.blocks, scan, r.audiences)]
            if dates is not None and seen:
                reader = max(seen, key=lambda r: r.day)
                out.extend(_date_findings(where, statement.text, dates, reader, stale_after))
    return out


def _misplaced(rel: str, scan: FileScan) -> list[Finding]:
    """Dates on a heading, a link, an image or code: nothing there is checked or dropped."""
    out = []
    for use in scan.markup:
        names = [name for name in use.attributes if name in DATED_ATTRIBUTES]
        if use.element in ("div", "span") or not (names or DATED_CLASS in use.classes):
            continue
        given = ", ".join(f"{name}=" for name in dict.fromkeys(names)) or "the dated class"
        message = (
            f"{given} on a {use.element} is not checked: a date goes on a dated span or div "
            "([text]{.dated until=YYYY-MM-DD}) around the statement"
        )
        out.append(Finding(rel, use.line, use.column, "dated-attribute", message))
    return out


def _readers(
    section: Section, briefs: Sequence[Brief], today: dt.date | None, every: bool
) -> list[Reader]:
    if every:
        return [Reader(None, today, "today")] if today is not None else []
    readers = []
    for brief in sorted(briefs, key=lambda b: b.name):
        if section.id not in brief.sections:
            continue
        if brief.date is not None:
            label = f"the date of brief '{brief.name}'"
            readers.append(Reader({brief.audience}, brief.date, label))
        elif today is not None:
            readers.append(Reader({brief.audience}, today, "today"))
    return readers


def _date_findings(
    where: tuple[str, int, int],
    text: str,
    dates: Dates,
    reader: Reader,
    stale_after: int | None,
) -> list[Finding]:
    out = []
    said = f"dated statement '{_shorten(text)}'"
    on = f"{reader.label} ({reader.day.isoformat()})"
    if dates.until is not None and reader.day > dates.until:
        message = f"{said} holds until {dates.until.isoformat()}, which is before {on}: {_TODO}"
        out.append(Finding(*where, "expired-statement", message, text))
    if dates.as_of is not None and stale_after is not None:
        age = (reader.day - dates.as_of).days
        if age > stale_after:
            message = (
                f"{said} is as of {dates.as_of.isoformat()}, {age} days before {on}, more "
                f"than stale_after_days ({stale_after}): {_TODO}"
            )
            out.append(Finding(*where, "stale-statement", message, text))
    return out


def _shorten(text: str, width: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1].rstrip() + "…"


# --------------------------------------------------------------------------- the list


def expiring(
    project: Project, scans: dict[str, FileScan], today: dt.date, within: int = SOON_DAYS
) -> list[dict[str, Any]]:
    """The statements that expire within ``within`` days of ``today``, or have expired,
    soonest first (for ``briefgen list``)."""
    rows = []
    for sid, section in sorted(project.sections.items()):
        scan = scans.get(sid)
        for statement in scan.dated if scan is not None else ():
            dates, _ = read_dates(statement)
            if dates is None or dates.until is None:
                continue
            days = (dates.until - today).days
            if days <= within:
                rows.append(
                    {
                        "until": dates.until.isoformat(),
                        "days": days,
                        "file": section.rel,
                        "line": statement.line,
                        "column": statement.column,
                        "text": statement.text,
                    }
                )
    return sorted(rows, key=lambda r: (r["until"], r["file"], r["line"], r["column"]))
