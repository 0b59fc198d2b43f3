"""What ``briefgen check`` was given: briefs, and sections by id or by file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from briefgen.errors import ConfigError
from briefgen.findings import did_you_mean
from briefgen.model import BRIEFS_DIR, SECTIONS_DIR


def split_targets(root: Path, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """What ``check`` was given: brief names, and sections named by id or by the path of
    their file (relative to the current directory). A name that is both a brief and a
    section is the brief; one that is neither is left for the check to call unknown."""
    briefs: list[str] = []
    sections: list[str] = []
    sections_dir = (root / SECTIONS_DIR).resolve()
    for name in names:
        as_path = Path(name)
        if name.endswith(".md") or "/" in name or "\\" in name:
            try:
                resolved = as_path.resolve()
            except OSError:
                resolved = as_path
            if resolved.parent == sections_dir and resolved.suffix == ".md":
                sections.append(resolved.stem)
                continue
            raise ConfigError(
                f"{name}: not a section file of this project: name a brief, a section id, "
                f"or a file in {SECTIONS_DIR}/"
            )
        if (root / SECTIONS_DIR / f"{name}.md").exists() and not (
            root / BRIEFS_DIR / f"{name}.yaml"
        ).exists():
            sections.append(name)
            continue
        if not (root / BRIEFS_DIR / f"{name}.yaml").exists():
            ids = [p.stem for p in (root / SECTIONS_DIR).glob("*.md")]
            names_of_briefs = [p.stem for p in (root / BRIEFS_DIR).glob("*.yaml")]
            hint = did_you_mean(name, ids)
            if hint and not did_you_mean(name, names_of_briefs):
                raise ConfigError(f"unknown brief or section '{name}'{hint}")
        briefs.append(name)
    return briefs, sections
