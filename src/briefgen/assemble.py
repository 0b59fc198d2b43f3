"""A brief and its sections -> one pandoc Markdown document, through a Jinja2 frame.

Only the frame (``templates/<look>.md.j2``) is a Jinja template. Section text reaches it
as a finished value, so ``{{`` in prose stays prose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import yaml
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from briefgen.errors import RenderError
from briefgen.files import inside
from briefgen.model import Brief, Project, Section
from briefgen.rules.markings import MARKING_COLOURS
from briefgen.scan.batch import prefix_footnotes

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
# In a source checkout (editable install) the templates live at the top of the repository.
SOURCE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def default_templates() -> Path:
    return PACKAGE_TEMPLATES if PACKAGE_TEMPLATES.is_dir() else SOURCE_TEMPLATES


def template_dirs(project: Project) -> list[Path]:
    """The project's own templates first (overriding file by file), when briefgen.yaml opts
    in with ``templates:``, then briefgen's own."""
    own = project.config.templates
    default = default_templates()
    dirs = [own] if own is not None and own.resolve() != default.resolve() else []
    return [*dirs, default]


def template_path(project: Project, name: str) -> Path:
    """A template by name; a project template that is a link out of the project is refused
    (templates run as code: they must be the project's own files)."""
    for directory in template_dirs(project):
        candidate = directory / name
        if candidate.is_file():
            if directory != default_templates() and not inside(project.root, candidate):
                raise RenderError(
                    f"{project.rel(candidate)}: is a link to a file outside the project: "
                    "templates must stay inside it"
                )
            return candidate
    where = ", ".join(map(str, template_dirs(project)))
    raise RenderError(f"template '{name}' not found in {where}")


class _Loader(jinja2.FileSystemLoader):
    """Jinja's file loader, refusing a project frame that links out of the project."""

    def __init__(self, dirs: tuple[Path, ...], root: Path) -> None:
        super().__init__([str(d) for d in dirs])
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        path = Path(filename)
        if path.parent.resolve() != default_templates().resolve() and not inside(self.root, path):
            raise jinja2.TemplateNotFound(
                template, f"{filename} is a link to a file outside the project"
            )
        return source, filename, uptodate


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...], root: Path) -> jinja2.Environment:
    # sandboxed: a frame reaches only what it is given, never Python's internals (a
    # project frame is code from the repository)
    return SandboxedEnvironment(
        loader=_Loader(dirs, root),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        # pandoc's attribute syntax {#id} must not open a Jinja comment
        comment_start_string="<%#",
        comment_end_string="%>",
    )


def brief_date(brief: Brief, epoch: int | None = None, today: dt.date | None = None) -> dt.date:
    """The date a brief prints: its own date:, else SOURCE_DATE_EPOCH's (``epoch``, from
    Settings), else today. SOURCE_DATE_EPOCH stands in for the clock (reproducible builds),
    never for a date the brief states."""
    if brief.date is not None:
        return brief.date
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, dt.UTC).date()
    return today or dt.date.today()


def midnight(date: dt.date) -> int:
    """Midnight UTC of a date, as the outputs' creation timestamp."""
    return int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp())


def format_date(date: dt.date) -> str:
    return f"{date.day} {date.strftime('%B %Y')}"


@dataclass(frozen=True)
class Assembled:
    markdown: str  # the whole document, YAML metadata block first
    metadata: dict[str, object]
    look: str  # "paper" or "ministerial"
    timestamp: int = 0  # the outputs' creation time: SOURCE_DATE_EPOCH or the date's midnight
    #: a draft's open findings (rule, file:line, message): its PDF lists them on a last page
    findings: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class DraftMark:
    """A sentence to highlight in a draft build: [start, end) offsets in its source."""

    start: int
    end: int | None  # None: mark the start only
    kind: str = "uncited"  # the span's class: uncited, unsupported-figure, weak-support


def assemble(
    project: Project,
    brief: Brief,
    marking: str,
    draft: Mapping[str, Iterable[DraftMark]] | None = None,
    epoch: int | None = None,
) -> Assembled:
    """The brief as one Markdown document for its audience under ``marking``; ``draft``
    marks uncited sentences, ``epoch`` (SOURCE_DATE_EPOCH) fixes the date."""
    config = project.config
    audience = config.audiences[brief.audience]
    sections = [project.sections[sid] for sid in brief.sections if sid in project.sections]
    date = brief_date(brief, epoch)
    look = audience.template
    metadata = _metadata(project, brief, marking, date, draft is not None)
    items = []
    for section in sections:
        marks = list((draft or {}).get(section.id, ()))
        items.append(
            {
                "id": section.id,
                "anchor": f"sec-{section.id}",
                "title": plain_text(_marked_title(section)),
                "summary": (section.summary or "").strip(),
                "body": _portion(section, _prepare_body(section, marks)),
            }
        )
    summaries = [{"section": item, "summary": item["summary"]} for item in items if item["summary"]]
    env = _environment(tuple(template_dirs(project)), project.root.resolve())
    try:
        frame = env.get_template(f"{look}.md.j2")
        body = frame.render(
            brief=brief,
            audience=audience,
            marking=marking,
            date=format_date(date),
            sections=items,
            executive_summary=summaries if brief.executive_summary else [],
            config=config,
        )
    except SecurityError as exc:
        raise RenderError(f"{look}.md.j2: template error: {exc}") from None
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        )
        raise RenderError(f"{where}template error: {exc}") from None
    header = yaml.safe_dump(metadata, allow_unicode=True, sort_keys=True, width=10_000)
    timestamp = epoch if epoch is not None else midnight(date)
    return Assembled(f"---\n{header}---\n\n{body}", metadata, look, timestamp)


def _metadata(
    project: Project, brief: Brief, marking: str, date: dt.date, draft: bool
) -> dict[str, object]:
    """The document's YAML metadata: what the templates and pandoc read."""
    config = project.config
    audience = config.audiences[brief.audience]
    look = audience.template
    title = " ".join(brief.title.split())
    footer = footer_titles(brief.short_title or title)
    short = brief.short_title or next((o for o in footer if len(o) <= 48), footer[-1])
    metadata: dict[str, object] = {
        "title": plain_text(title),
        "short-title": plain_text(short),  # for a project's own brief.typst
        "footer-titles": [plain_text(option) for option in footer],
        "organisation": plain_text(config.organisation) or " ",
        "audience-label": plain_text(audience.label),
        "briefgen-audience": audience.name,
        "date": format_date(date),
        "date-meta": date.isoformat(),
        "marking": marking,
        "marking-fg": MARKING_COLOURS[marking],
        "marking-label": plain_text(audience.marking_label or marking),  # what the reader sees
        "marking-label-css": _css_label(audience.marking_label, marking),
        "look": look,
        "lang": config.lang,
        "region": config.lang.split("-")[-1] if "-" in config.lang else "GB",
        "link-citations": True,
        "suppress-bibliography": False,
    }
    if brief.subtitle:
        metadata["subtitle"] = plain_text(brief.subtitle)
    if look == "ministerial":
        metadata["ministerial"] = True
    else:
        metadata["toc"] = True
        metadata["toc-depth"] = 1
        metadata["numbered"] = True
    if draft:
        metadata["draft"] = True
    if config.show_as_of:  # templates/dated.lua
        metadata["briefgen-show-as-of"] = True
    return metadata


#: More characters than the PDF footer's title column holds at any width of letter: the
#: longest title the footer is offered.
FOOTER_CHARS = 120


def footer_titles(title: str) -> list[str]:
    """The titles the PDF footer may show, longest first: the title itself, then the title
    cut after each word with an ellipsis, down to its first word; the template shows the
    first that fits its column (so a cut never falls inside a word). Each is at most
    FOOTER_CHARS characters long: a longer title is offered only cut, and a first word
    longer than that is cut inside itself, the one cut inside a word."""
    words = title.split()
    cuts: list[str] = []
    length = 0
    for word in words[:-1]:
        length += len(word) + (1 if cuts else 0)
        if length >= FOOTER_CHARS:
            break
        cuts.append(" ".join(words[: len(cuts) + 1]))
    options = [title] if len(title) <= FOOTER_CHARS else []
    options += [cut.rstrip(",;:–—- ") + "…" for cut in reversed(cuts)]
    return options or [words[0][: FOOTER_CHARS - 1] + "…"]


# ASCII punctuation that Markdown reads as markup (raw HTML, citations, links, emphasis, ...):
# quotes, dashes and full stops are left alone, so pandoc still makes them typographic
_MARKUP_CHARS_RE = re.compile(r"([\\`*_{}\[\]()<>#+!|~^@$=&])")


def _css_label(label: str | None, marking: str) -> str:
    """The marking_label for the HTML's printed page margins, which a CSS string carries:
    the label when it is letters, digits and spaces only, else the TLP marking (nothing
    from content is ever written into a style sheet but those characters)."""
    if label is not None and re.fullmatch(r"[^\W_]+(?: [^\W_]+)*", label):
        return label
    return marking


def plain_text(text: str) -> str:
    """A front-matter text field (a title, a label) as Markdown that reads back as exactly
    that text on one line: line breaks become spaces and markup characters are escaped, so
    a title can never hold a block, a raw tag, a citation or a link."""
    one_line = " ".join(str(text).split())
    escaped = _MARKUP_CHARS_RE.sub(r"\\\1", one_line)
    if re.match(r"\d+[.)]", escaped):  # would open an ordered list
        escaped = re.sub(r"^(\d+)([.)])", r"\1\\\2", escaped)
    elif escaped[:1] in ("-", ":"):  # a bullet list, a definition
        escaped = "\\" + escaped
    return escaped


def unescape(markdown: str) -> str:
    """The text plain_text escaped: each backslash-escaped character as itself."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _marked(section: Section) -> bool:
    return section.marking in MARKING_COLOURS and section.marking != "TLP:CLEAR"


def _marked_title(section: Section) -> str:
    """A section's title, with its marking after it when that is above TLP:CLEAR: so the
    contents, the PDF's outline and the DOCX's navigation show the portion's marking."""
    return f"{section.title} ({section.marking})" if _marked(section) else section.title


def _portion(section: Section, body: str) -> str:
    """A section marked above TLP:CLEAR as a portion (templates/brief.lua marks where it
    starts): its body in a div that only briefgen writes (in a section, ``marking=`` off an
    audience block is a markup error, so content cannot forge one)."""
    if not _marked(section):
        return body
    fence = ":" * (3 + max((len(m) for m in re.findall(r"^:{3,}", body, re.M)), default=3))
    return f'{fence} {{.briefgen-portion marking="{section.marking}"}}\n{body}\n\n{fence}'


def _prepare_body(section: Section, marks: list[DraftMark]) -> str:
    """Section body ready for the frame: draft highlights, file-local footnote labels."""
    source = section.source
    pieces = []
    last = section.body_offset  # marks all lie inside the body
    for mark in sorted(marks, key=lambda m: m.start):
        if mark.start < last:
            continue
        pieces.append(source[last : mark.start])
        if mark.end is not None:
            pieces.append("[" + source[mark.start : mark.end] + "]{." + mark.kind + "}")
            last = mark.end
        else:
            pieces.append("[]{." + mark.kind + "}")
            last = mark.start
    pieces.append(source[last:])
    body = "".join(pieces)
    # footnote labels are per file; in one assembled document they must not collide
    body = prefix_footnotes(body, f"{section.id}-")
    return body.strip("\n")


def shown_marking(assembled: Assembled) -> str:
    """The marking as the reader sees it: the audience's marking_label, or else the TLP
    marking (the manifest and the check keep the TLP marking)."""
    label = str(assembled.metadata.get("marking-label", assembled.metadata["marking"]))
    return re.sub(r"\\(.)", r"\1", label)  # undo plain_text's escapes
