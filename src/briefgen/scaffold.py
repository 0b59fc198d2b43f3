"""Create projects, sections and briefs from the templates under templates/init and
templates/new. Never overwrites a file unless asked to."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from briefgen.assemble import default_templates
from briefgen.errors import ConfigError
from briefgen.files import write_atomic
from briefgen.findings import did_you_mean
from briefgen.model import BRIEFS_DIR, ID_RE, SECTIONS_DIR, Project


def _today() -> str:
    return dt.date.today().isoformat()


def _check_id(kind: str, value: str) -> None:
    if not ID_RE.match(value):
        raise ConfigError(
            f"invalid {kind} '{value}': use lowercase letters, digits and '-' "
            "(for example 'cross-border-evidence')"
        )


def _write_all(files: dict[Path, str], force: bool) -> list[Path]:
    """All or nothing: refuse before writing anything if a file exists."""
    if not force:
        existing = [p for p in files if p.exists()]
        if existing:
            raise ConfigError(f"{existing[0]} already exists: use --force to overwrite it")
    for path, text in files.items():
        write_atomic(path, text.encode("utf-8"))
    return list(files)


def init_project(directory: Path, force: bool = False) -> list[Path]:
    """A working project: two audiences, two references, two sections, one brief."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory} is not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise ConfigError(f"{directory} is not empty: use --force to add a project to it")
    source = default_templates() / "init"
    files: dict[Path, str] = {}
    for path in sorted(source.rglob("*")):
        if path.is_file():
            rel = path.relative_to(source).as_posix()
            target = directory / (".gitignore" if rel == "gitignore" else rel)
            files[target] = path.read_text(encoding="utf-8").replace("{today}", _today())
    return _write_all(files, force=True)


def new_section(project: Project, section_id: str, force: bool = False) -> Path:
    _check_id("section id", section_id)
    template = (default_templates() / "new" / "section.md").read_text(encoding="utf-8")
    audience = next(iter(project.config.audiences), "all")
    text = template.format(
        title=section_id.replace("-", " ").capitalize(), today=_today(), audience=audience
    )
    path = project.root / SECTIONS_DIR / f"{section_id}.md"
    return _write_all({path: text}, force)[0]


def add_to_brief(project: Project, brief_name: str, section_id: str) -> Path:
    """Append ``section_id`` to the brief's ``sections:`` list, editing the file's text so
    its comments and layout stay as they are. Raises ConfigError when the list cannot be
    found as a plain block list (then the user adds the line)."""
    brief = project.briefs.get(brief_name)
    if brief is None:
        from briefgen.check import raise_unknown_brief

        raise_unknown_brief(project, brief_name)
    if section_id in brief.sections:
        return brief.path
    lines = brief.path.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(brief.section_lines, default=0)  # 1-based line of the list's last entry
    entry = lines[last - 1] if last else ""
    indent = re.match(r"^([ \t]*-[ \t]+)", entry)
    if indent is None:
        raise ConfigError(
            f"{brief.rel}: sections: is not a list with one '- id' per line: add "
            f"'- {section_id}' to it yourself"
        )
    if not entry.endswith("\n"):
        lines[last - 1] = entry + "\n"
    lines.insert(last, f"{indent.group(1)}{section_id}\n")
    write_atomic(brief.path, "".join(lines).encode("utf-8"))
    return brief.path


def brief_audience(project: Project, name: str, audience: str | None) -> str:
    """The audience a new brief is for: the one asked for, else the audience of the
    brief's own name when there is one (a brief 'investigators'), else the first."""
    audiences = list(project.config.audiences)
    if not audiences:
        raise ConfigError("briefgen.yaml defines no audiences: add one under audiences: first")
    if audience is not None:
        if audience not in project.config.audiences:
            hint = did_you_mean(audience, audiences)
            raise ConfigError(
                f"unknown audience '{audience}'{hint}: audiences are {', '.join(audiences)}"
            )
        return audience
    return name if name in project.config.audiences else audiences[0]


def new_brief(
    project: Project, name: str, force: bool = False, audience: str | None = None
) -> Path:
    _check_id("brief name", name)
    audiences = list(project.config.audiences)
    chosen = brief_audience(project, name, audience)
    template = (default_templates() / "new" / "brief.yaml").read_text(encoding="utf-8")
    sections = "\n".join(f"  - {sid}" for sid in sorted(project.sections)) or "  - your-section"
    text = template.format(
        title=name.replace("-", " ").capitalize(),
        audience=chosen,
        audiences=", ".join(audiences),
        today=_today(),
        sections=sections,
    )
    path = project.root / BRIEFS_DIR / f"{name}.yaml"
    return _write_all({path: text}, force)[0]
