"""Load a briefing project: ``briefgen.yaml``, briefs and section files -> dataclasses.

Problems in briefs and sections become findings (collected, never stopping at the first);
a project that cannot be used at all (no ``briefgen.yaml``, a broken one) raises
:class:`ConfigError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import ConfigError
from briefgen.files import Refused, inside, read_inside
from briefgen.findings import Finding
from briefgen.load.briefs import load_brief
from briefgen.load.config import load_config
from briefgen.load.sections import load_section, parse_section, read_section
from briefgen.model import BRIEFS_DIR, CONFIG_FILE, SECTIONS_DIR, Brief, Config, Project, Section

if TYPE_CHECKING:
    from briefgen.memory import Memory

__all__ = ["find_root", "load_brief", "load_config", "load_project", "load_section"]


def find_root(start: Path) -> Path:
    """The project directory: ``start`` or the nearest parent holding briefgen.yaml."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    return start


def load_project(root: Path, memory: Memory | None = None) -> Project:
    """The project in ``root``; with a ``memory``, front matters read before come from it
    (briefgen.memory)."""
    if not root.is_dir():
        raise ConfigError(f"no such project directory: {root}")
    root = root.resolve()
    config = load_config(root)
    section_dir = root / SECTIONS_DIR
    for directory in (section_dir, root / BRIEFS_DIR):
        if directory.exists() and not inside(root, directory):
            raise ConfigError(
                f"{directory.relative_to(root).as_posix()} is a link to a directory outside "
                "the project: content must stay inside it"
            )
    sections, findings = _load_sections(root, config, memory)
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


def _load_sections(
    root: Path, config: Config, memory: Memory | None
) -> tuple[dict[str, Section], list[Finding]]:
    """Every section file, its front matter through the memory when there is one."""
    memo = memory.front_matters(config.audiences) if memory is not None else None
    findings: list[Finding] = []
    sections: dict[str, Section] = {}
    section_dir = root / SECTIONS_DIR
    for path in sorted(section_dir.glob("*.md")) if section_dir.is_dir() else []:
        file, problems = read_section(path, root)
        section = None
        if file is not None and memo is not None:
            section, problems = memo.parse(file, config.audiences)
        elif file is not None:
            section, problems = parse_section(file, config.audiences)
        findings.extend(problems)
        if section is not None:
            sections[section.id] = section
    if memo is not None:
        memo.save()
    return sections, findings


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
