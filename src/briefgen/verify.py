"""``briefgen verify``: is a built file still what its inputs build?

A manifest (``build/<brief>.manifest.json``) is untrusted: anyone can commit one. So it is
checked against one schema (:data:`FIELDS`) before anything uses it, every input it names
must be a project-relative POSIX path and is read only through
:func:`briefgen.files.read_inside` (links resolved, inside the project, a regular file of
bounded size), and the output and the manifest themselves are read with a size bound.
briefgen's own templates the build used are recorded apart (``tool_files``, named
``briefgen:templates/<file>``): a name that is not one of them is never opened either.

What the manifest records is compared with the brief's inputs as they are now
(:func:`briefgen.inputs.brief_inputs`, the list the build key and the manifest come from):
an input changed or gone, one the brief has now but did not have (a section, an image, a
project template that now overrides briefgen's own), a tool or the CSL style changed.

A manifest can still be forged to match a forged output. :func:`rebuild_output` trusts it
for nothing but the brief's name: it builds that brief again into a temporary directory and
compares the bytes (builds are reproducible: the brief's date or SOURCE_DATE_EPOCH fixes
every timestamp).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.build import build_briefs
from briefgen.errors import BriefgenError, ConfigError
from briefgen.files import (
    Refused,
    read_bounded,
    read_chunks,
    read_inside,
    sha256,
    sha256_bounded,
)
from briefgen.findings import Finding
from briefgen.inputs import (
    OWN,
    brief_inputs,
    input_digest,
    own_template,
    template_input,
    tool_identity,
)
from briefgen.memory import FrontMatters, Memory, Syllables
from briefgen.model import BRIEFS_DIR, Project
from briefgen.render import DRAFT, FORMATS
from briefgen.scan import FileScan, Progress, ScanInput

if TYPE_CHECKING:
    from briefgen.evidence.passages import Passage

MAX_MANIFEST_BYTES = 16 * 2**20  # a manifest is a few kilobytes
MAX_INPUT_BYTES = 64 * 2**20  # sections are held to 1 MB; a bibliography may be larger
MAX_OUTPUT_BYTES = 512 * 2**20  # a PDF with many images; read in chunks, never whole

_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Manifest:
    path: Path  # beside the output, as the user named the output
    brief: str
    draft: bool | None  # None: written by an older briefgen, which did not say
    inputs: dict[str, str]  # project-relative POSIX path -> SHA-256 (not yet known to be inside)
    outputs: dict[str, str]  # file name -> SHA-256
    tools: dict[str, str]  # tool -> version; "csl" -> the style (briefgen.inputs.csl_identity)
    tool_files: dict[str, str]  # briefgen's own file ("briefgen:templates/<file>") -> SHA-256


# --------------------------------------------------------------------------- the schema


def _text(value: object) -> bool:
    """A non-empty string that prints as itself (no control characters for a terminal)."""
    return isinstance(value, str) and value != "" and value.isprintable()


def _digests(value: object) -> bool:
    return isinstance(value, dict) and all(
        _text(k) and isinstance(v, str) and _DIGEST.fullmatch(v) for k, v in value.items()
    )


def _versions(value: object) -> bool:
    return isinstance(value, dict) and all(_text(k) and _text(v) for k, v in value.items())


@dataclass(frozen=True)
class Field:
    name: str
    required: bool  # a missing optional field is None in the Manifest
    valid: Callable[[object], bool]
    expected: str  # what the field must be, for the message


FIELDS = (
    Field("brief", True, _text, "a brief's name"),
    Field("draft", False, lambda v: isinstance(v, bool), "true or false"),
    Field("inputs", True, _digests, "a mapping of project files to SHA-256 digests"),
    Field("outputs", True, _digests, "a mapping of file names to SHA-256 digests"),
    Field("tools", True, _versions, "a mapping of tool names to versions"),
    Field("tool_files", True, _digests, "a mapping of briefgen's own files to SHA-256 digests"),
)


def parse_manifest(path: Path, data: object) -> Manifest:
    """``data``, a manifest's JSON, checked against :data:`FIELDS`. Raises ConfigError with
    one line per wrong field, each naming the manifest and the field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a briefgen manifest (a JSON object): build it again")
    problems = []
    for f in FIELDS:
        if f.name not in data:
            if f.required:
                problems.append(f"{path}: '{f.name}' is missing: build it again")
        elif not f.valid(data[f.name]):
            problems.append(f"{path}: '{f.name}' is not {f.expected}: build it again")
    if problems:
        raise ConfigError("\n".join(problems))
    return Manifest(
        path,
        data["brief"],
        data.get("draft"),
        data["inputs"],
        data["outputs"],
        data["tools"],
        data["tool_files"],
    )


def read_manifest(output: Path) -> Manifest:
    """The manifest beside ``output``, well-formed and not a draft's.

    Raises ConfigError (exit 2) when ``output`` does not exist or the manifest is missing,
    unreadable or malformed; BriefgenError (exit 1) for a draft, which is never verified.
    """
    try:
        os.stat(output)
    except (FileNotFoundError, NotADirectoryError):
        raise ConfigError(f"{output}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{output}: cannot be read ({exc.strerror})") from None
    name = output.name.rsplit(".", 1)[0]
    if name.endswith(DRAFT):
        raise _draft_output(output)
    path = output.with_name(f"{name}.manifest.json")
    try:
        raw = read_bounded(path, MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no manifest beside the output: build it again") from None
    except Refused as exc:
        raise ConfigError(f"{path} {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: unreadable manifest ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text: build it again") from None
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc}): build it again") from None
    manifest = parse_manifest(path, data)
    if manifest.draft is True:
        raise _draft_output(output)
    return manifest


def _draft_output(output: Path) -> BriefgenError:
    return BriefgenError(f"{output} is a draft: drafts are not verified; build without --draft")


def project_name(name: str) -> bool:
    """Whether a manifest's input name is one briefgen writes: a relative POSIX path that
    does not climb out of the project (links are resolved later, by read_inside)."""
    if not _text(name) or name.startswith("/") or "\\" in name:
        return False
    return ".." not in name.split("/")


# --------------------------------------------------------------------------- verify


def verify_output(project: Project, output: Path) -> list[str]:
    """What no longer matches between an output, its manifest and the project's inputs.

    An empty list means the file is exactly what the recorded inputs built. Raises
    BriefgenError as :func:`read_manifest` does.
    """
    manifest = read_manifest(output)
    problems = []
    if manifest.draft is None:  # an older briefgen's manifest: it may be a draft
        problems.append(f"{manifest.path.name} does not say whether it is a draft: build again")
    problems += _output_problems(output, manifest)
    problems += _input_problems(project, manifest)
    problems += _tool_file_problems(project, manifest)
    problems += _brief_problems(project, manifest)
    problems += _tool_problems(project, manifest)
    return list(dict.fromkeys(problems))  # a template linked out is met twice


def _output_problems(output: Path, manifest: Manifest) -> list[str]:
    recorded = manifest.outputs.get(output.name)
    if recorded is None:
        return [f"{output.name} is not among the outputs the manifest records"]
    try:
        digest = sha256_bounded(output, MAX_OUTPUT_BYTES)
    except Refused as exc:
        return [f"{output.name} {exc}"]
    except OSError as exc:
        return [f"{output.name} cannot be read ({exc.strerror})"]
    return [] if digest == recorded else [f"{output.name} was changed after it was built"]


def _input_problems(project: Project, manifest: Manifest) -> list[str]:
    problems = []
    for rel, digest in sorted(manifest.inputs.items()):
        if not project_name(rel):  # never opened
            problems.append(
                f"{manifest.path}: names {rel!r} outside the project: the manifest was not "
                "written by briefgen"
            )
            continue
        try:
            data = read_inside(project.root, project.root / rel, MAX_INPUT_BYTES)
        except (FileNotFoundError, NotADirectoryError):
            problems.append(f"{rel} no longer exists")
        except Refused as exc:
            problems.append(f"{rel} {exc}")
        except OSError as exc:
            problems.append(f"{rel} cannot be read ({exc.strerror})")
        else:
            if sha256(data) != digest:
                problems.append(f"{rel} changed since the build")
    return problems


def _tool_file_problems(project: Project, manifest: Manifest) -> list[str]:
    """briefgen's own templates the build used: each must still be the one a build uses
    (no project template overrides it now) and unchanged (an upgrade, or an edit in a
    source checkout). A name that is not one of briefgen's templates is never opened."""
    problems = []
    for name, digest in sorted(manifest.tool_files.items()):
        own = own_template(name)
        if own is None:
            problems.append(
                f"{manifest.path}: names {name!r}, which is not one of briefgen's own files: "
                "the manifest was not written by briefgen"
            )
            continue
        try:
            now = template_input(project, name.removeprefix(OWN))
            if not now.own:
                problems.append(f"{now.name} now overrides briefgen's own since the build")
            elif input_digest(project.root, own) != digest:
                problems.append(f"{name} changed since the build")
        except BriefgenError as exc:  # a project template linked out of the project
            problems.append(str(exc))
        except (Refused, OSError):
            problems.append(f"{name} no longer exists")
    return problems


def _brief_problems(project: Project, manifest: Manifest) -> list[str]:
    """Inputs the brief has now that the build did not (a section added to the brief, an
    image or a file added to the project's templates folder)."""
    brief = project.briefs.get(manifest.brief)
    if brief is None:
        if f"{BRIEFS_DIR}/{manifest.brief}.yaml" in manifest.inputs:
            return []  # the inputs already say that the brief's file is gone or changed
        return [f"the brief '{manifest.brief}' the manifest names is not in the project"]
    try:
        now = brief_inputs(project, brief)
    except BriefgenError as exc:  # a project template linked out of the project
        return [str(exc)]
    overrides = {  # said by _tool_file_problems
        t.name for name, t in now.templates if not t.own and OWN + name in manifest.tool_files
    }
    problems = []
    for item in sorted(now.project_files, key=lambda i: i.name):
        if item.name in manifest.inputs or item.name in overrides:
            continue
        if item.kind == "section":
            problems.append(f"{item.name} was added to the brief since the build")
        else:
            problems.append(f"{item.name} was added since the build")
    return problems


def _tool_problems(project: Project, manifest: Manifest) -> list[str]:
    """The tools' versions and the CSL style (briefgen.inputs.tool_identity)."""
    return [
        f"built with {tool} {manifest.tools.get(tool)}, now {version}"
        for tool, version in tool_identity(project.config)
        if manifest.tools.get(tool) != version
    ]


# --------------------------------------------------------------------------- --rebuild


@dataclass(frozen=True)
class Rebuilt:
    brief: str  # the brief built again
    refused: list[Finding]  # the errors that refused the rebuild (nothing was compared)
    difference: int | None  # offset of the first byte that differs; None when identical

    @property
    def identical(self) -> bool:
        return not self.refused and self.difference is None


class _Unrecorded:
    """A memory whose scans are reused but which keeps no record of outputs: a rebuild into
    a temporary directory is not a build of the project's outputs."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def front_matters(self, audiences: Iterable[str]) -> FrontMatters:
        return self.memory.front_matters(audiences)

    def scan(
        self, inputs: Sequence[ScanInput], progress: Progress | None, jobs: int | None
    ) -> list[FileScan]:
        return self.memory.scan(inputs, progress, jobs)

    def syllables(self) -> Syllables:
        return self.memory.syllables()

    def source_passages(self, name: str, read: Callable[[], list[Passage]]) -> list[Passage]:
        return self.memory.source_passages(name, read)

    def recorded_outputs(self, outdir: Path, stem: str, key: str) -> dict[str, str]:
        return {}

    def record_outputs(self, outdir: Path, stem: str, key: str, outputs: dict[str, str]) -> None:
        pass


def rebuild_output(
    project: Project,
    output: Path,
    epoch: int | None = None,
    memory: Memory | None = None,
    today: dt.date | None = None,
) -> Rebuilt:
    """Build ``output``'s brief again, in its format, into a temporary directory, and
    compare the bytes with ``output``. Only the manifest's brief name is used (after
    :func:`read_manifest`, so drafts are refused); nothing it says about hashes is trusted.
    """
    manifest = read_manifest(output)
    fmt = output.suffix.removeprefix(".")
    if fmt not in FORMATS:
        raise ConfigError(f"{output}: not a {', '.join(FORMATS)} file: name a built output")
    if manifest.brief not in project.briefs:
        raise BriefgenError(
            f"{output}: its manifest names the brief '{manifest.brief}', which is not in the "
            "project: it cannot be built again"
        )
    with tempfile.TemporaryDirectory(prefix="briefgen-verify-") as tmp:
        outcome = build_briefs(
            project,
            [manifest.brief],
            formats=[fmt],
            outdir=Path(tmp),
            force=True,
            epoch=epoch,
            memory=_Unrecorded(memory) if memory is not None else None,
            today=today,
        )
        if outcome.refused:
            return Rebuilt(manifest.brief, outcome.refused, None)
        fresh = (Path(tmp) / f"{manifest.brief}.{fmt}").read_bytes()
    try:
        difference = first_difference(output, fresh)
    except Refused as exc:
        raise BriefgenError(f"{output} {exc}") from None
    except OSError as exc:
        raise BriefgenError(f"{output}: cannot be read ({exc.strerror})") from None
    return Rebuilt(manifest.brief, [], difference)


def first_difference(path: Path, expected: bytes) -> int | None:
    """Offset of the first byte where the file at ``path`` differs from ``expected`` (the
    shorter one's length when one is a prefix of the other); None when they are equal."""
    offset = 0
    for block in read_chunks(path, MAX_OUTPUT_BYTES):
        want = expected[offset : offset + len(block)]
        if block != want:
            same = min(len(block), len(want))
            return offset + next((i for i in range(same) if block[i] != want[i]), same)
        offset += len(block)
    return None if offset == len(expected) else offset
