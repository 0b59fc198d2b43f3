"""The reference map of ``briefgen import --refs``: a YAML mapping from the draft's
reference numbers to bibliography keys (``1: europol2020iocta``)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from briefgen.errors import ConfigError
from briefgen.files import not_utf8, read_text
from briefgen.load.yaml import load_yaml, yaml_error_line

_KEY_RE = re.compile(r"^[A-Za-z0-9_][\w:.#$%&+?<>~/-]*$")  # a pandoc citation key


class _Problem(Exception):
    """One entry of the map that cannot be used: its line and what to do."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def load_ref_map(path: Path) -> dict[int, str]:
    """Read a YAML mapping of reference numbers to bibliography keys (``1: europol2020iocta``)."""
    node = _mapping(path)
    refs: dict[int, str] = {}
    seen: dict[int, int] = {}  # number -> line of its first mapping
    problems: list[tuple[int, str]] = []
    for key, value in node.value if node is not None else []:
        try:
            number = _number(key, seen)
            refs[number] = _key(number, value)
        except _Problem as problem:
            problems.append((problem.line, problem.message))
    if problems:
        raise ConfigError("\n".join(f"{path}:{line}: {message}" for line, message in problems))
    return dict(sorted(refs.items()))


def _mapping(path: Path) -> yaml.MappingNode | None:
    """The map's YAML mapping node (None for an empty file); raises ConfigError."""
    try:
        text = read_text(path)
    except UnicodeDecodeError as exc:
        line, message = not_utf8(exc)
        raise ConfigError(f"{path}:{line}: {message}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the reference map: {exc.strerror}") from None
    try:
        _, node = load_yaml(text, plain=False)
    except yaml.YAMLError as exc:
        line, message = yaml_error_line(exc)
        raise ConfigError(f"{path}:{line}: {message}") from None
    if node is not None and not isinstance(node, yaml.MappingNode):
        raise ConfigError(
            f"{path}:{int(node.start_mark.line) + 1}: expected a mapping of reference numbers "
            "to bibliography keys (1: europol2020iocta)"
        )
    return node


def _number(key: yaml.Node, seen: dict[int, int]) -> int:
    """The reference number an entry maps, recorded in ``seen``; raises _Problem."""
    line = int(key.start_mark.line) + 1
    raw = key.value if isinstance(key, yaml.ScalarNode) else None
    if raw is None or not re.fullmatch(r"\d+", raw) or int(raw) == 0:
        shown = raw if raw is not None else "(a collection)"
        raise _Problem(
            line,
            f"'{shown}' is not a reference number: write the draft's number, "
            "as in 1: europol2020iocta",
        )
    number = int(raw)
    if number in seen:
        raise _Problem(
            line, f"reference {number} is mapped twice (first on line {seen[number]}): keep one"
        )
    seen[number] = line
    return number


def _key(number: int, value: yaml.Node) -> str:
    """The bibliography key an entry maps ``number`` to; raises _Problem."""
    value_line = int(value.start_mark.line) + 1
    if not isinstance(value, yaml.ScalarNode):
        raise _Problem(
            value_line, f"reference {number}: give one bibliography key, not a collection"
        )
    if value.tag == "tag:yaml.org,2002:null":
        raise _Problem(value_line, f"reference {number} has no key: give a bibliography key")
    cite_key = str(value.value).strip().removeprefix("@")
    if not _KEY_RE.fullmatch(cite_key):
        raise _Problem(
            value_line,
            f"reference {number}: '{value.value}' is not a bibliography key: "
            "write the key as references.bib spells it",
        )
    return cite_key
