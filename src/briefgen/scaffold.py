"""Create projects, sections and briefs from the templates under templates/init and
templates/new. Never overwrites a file unless asked to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefgen.assemble import default_templates
from briefgen.errors import ConfigError
from briefgen.files import write_atomic
from briefgen.project import BRIEFS_DIR, ID_RE, SECTIONS_DIR, Project


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


def new_brief(project: Project, name: str, force: bool = False) -> Path:
    _check_id("brief name", name)
    audiences = list(project.config.audiences)
    if not audiences:
        raise ConfigError("briefgen.yaml defines no audiences: add one under audiences: first")
    template = (default_templates() / "new" / "brief.yaml").read_text(encoding="utf-8")
    sections = "\n".join(f"  - {sid}" for sid in sorted(project.sections)) or "  - your-section"
    text = template.format(
        title=name.replace("-", " ").capitalize(),
        audience=audiences[0],
        audiences=", ".join(audiences),
        today=_today(),
        sections=sections,
    )
    path = project.root / BRIEFS_DIR / f"{name}.yaml"
    return _write_all({path: text}, force)[0]
