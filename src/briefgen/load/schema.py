"""A small declarative schema for YAML mappings, and the one validator that walks it.

A :class:`Field` names a key, the :class:`Kind` of value it takes, whether it is required,
and (when the kind's wording is not enough) its own message. :func:`validate` walks a
mapping against a tuple of fields and reports, each at its key's line: unknown keys with a
"did you mean", missing required fields and values of the wrong kind. The wording of each
kind of value ("must be text", "must be true or false", a date) is written once, here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from briefgen.findings import did_you_mean
from briefgen.load.yaml import key_line
from briefgen.rules.markings import marking_problem, parse_marking

#: A problem met while validating: (1-based line, message).
Problem = tuple[int, str]


class Invalid(ValueError):
    """Raised by a kind's reader for a value it cannot take. ``message``, when given,
    replaces the field's own (for wordings that quote the value)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Kind:
    """A kind of value: how it is read, and how a wrong one is reported."""

    read: Callable[[Any], Any]  # the value as written -> as loaded, or raise Invalid
    wording: str = "{name} is not valid"  # ``{name}``: the field's key


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = False  # a missing field is reported with ``message``
    message: str | None = None  # wrong (or missing) value; None: the kind's wording
    default: Any = None  # the value when the field is left out or wrong
    nullable: bool = False  # ``name: ~`` (null) counts as leaving the field out

    @property
    def wording(self) -> str:
        return self.message or self.kind.wording.format(name=self.name)


def validate(
    data: Mapping[str, Any],
    node: yaml.Node | None,
    fields: Iterable[Field],
    line: int = 1,
    offset: int = 0,
) -> tuple[dict[str, Any], list[Problem]]:
    """Read ``data`` (a mapping parsed from YAML, with its ``node`` for lines) against
    ``fields``: every field's value (its default when left out or wrong) and the problems.
    ``line`` is where a missing key is reported; ``offset`` is added to every line (a front
    matter starts on the file's second line)."""
    fields = tuple(fields)
    problems = [(at + offset, message) for at, message in unknown_keys(data, node, fields)]
    values: dict[str, Any] = {}
    for field in fields:
        at = key_line(node, field.name, line) + offset
        values[field.name] = field.default
        if field.name not in data or (field.nullable and data[field.name] is None):
            if field.required:
                problems.append((at, field.wording))
            continue
        try:
            values[field.name] = field.kind.read(data[field.name])
        except Invalid as exc:
            problems.append((at, exc.message or field.wording))
    return values, problems


def unknown_keys(
    data: Mapping[str, Any], node: yaml.Node | None, fields: Iterable[Field]
) -> list[Problem]:
    known = tuple(field.name for field in fields)
    return [
        (key_line(node, str(k)), f"unknown field '{k}'{did_you_mean(str(k), known)}")
        for k in data
        if k not in known
    ]


# --------------------------------------------------------------------------- kinds


def _check(ok: bool) -> None:
    if not ok:
        raise Invalid


def _any(value: Any) -> Any:
    return value


def _text(value: Any) -> str:
    _check(isinstance(value, str))
    return str(value)


def _nonblank(value: Any) -> str:
    _check(isinstance(value, str) and bool(value.strip()))
    return str(value).strip()


def _bool(value: Any) -> bool:
    _check(isinstance(value, bool))
    return bool(value)


def _date(value: Any) -> dt.date:
    _check(isinstance(value, dt.date))
    date: dt.date = value
    return date.date() if isinstance(date, dt.datetime) else date


def _count(value: Any) -> int:
    _check(isinstance(value, int) and not isinstance(value, bool) and value >= 1)
    return int(value)


def _number(value: Any) -> float:
    _check(isinstance(value, int | float) and not isinstance(value, bool))
    return float(value)


def _mapping(value: Any) -> dict[Any, Any]:
    _check(isinstance(value, dict))
    return dict(value)


def _list(value: Any) -> list[Any]:
    _check(isinstance(value, list))
    return list(value)


def _marking(value: Any) -> str:
    marking = parse_marking(value)
    if marking is None:
        raise Invalid(marking_problem(value))
    return marking


ANY = Kind(_any)
TEXT = Kind(_text, "{name} must be text")
NONBLANK = Kind(_nonblank, "missing required field '{name}'")  # stripped text
BOOL = Kind(_bool, "{name} must be true or false")
DATE = Kind(_date, "{name} must be a date written YYYY-MM-DD")  # a datetime: its date
COUNT = Kind(_count, "{name} must be a whole number from 1")  # ``true`` is not a number
NUMBER = Kind(_number, "{name} must be a number")
MAPPING = Kind(_mapping, "{name} must be a mapping")
LIST = Kind(_list, "{name} must be a list")
MARKING = Kind(_marking)  # a TLP marking however written (rules.markings.parse_marking)


def choice(name: str, options: tuple[str, ...]) -> Kind:
    """One of ``options``; a wrong one is reported with a "did you mean"."""

    def read(value: Any) -> str:
        if value not in options:
            hint = did_you_mean(str(value), options)
            raise Invalid(f"unknown {name} '{value}'{hint}: use one of {', '.join(options)}")
        return str(value)

    return Kind(read)
