"""Assembled Markdown -> PDF (pandoc -> Typst -> typst), DOCX and HTML.

pandoc runs with ``--sandbox`` so section text cannot pull in files from outside the
project; typst compiles with the project as its root and only its embedded fonts, so the
same inputs give the same bytes on every machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefgen import __version__
from briefgen.assemble import MARKING_COLOURS, Assembled, brief_date, template_path
from briefgen.bibliography import cited_keys, subset
from briefgen.claims import READER, pandoc_path
from briefgen.errors import BriefgenError, RenderError
from briefgen.files import read_text, sha256, write_atomic
from briefgen.project import Brief, Project

FORMATS = ("pdf", "docx", "html")
DRAFT = ".draft"  # a draft's outputs are <brief>.draft.pdf ...: never a real output's name
FORMAT_FILTERS = ("brief.lua", "citations.lua")  # run for each format, after citeproc


@dataclass(frozen=True)
class BuildOutput:
    brief: str
    outputs: dict[str, Path]  # format -> written file
    manifest: Path


# --------------------------------------------------------------------------- tools


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=False)
    first = out.stdout.splitlines()[0] if out.stdout else "pandoc ?"
    return first.split()[-1]


def typst_version() -> str:
    import typst

    return str(getattr(typst, "__version__", "?"))


RENDER_TIMEOUT = 600  # seconds for one pandoc run of a build (a 20-section brief takes ~2)


def run_pandoc(args: Sequence[str], text: str, cwd: Path, timestamp: int | None = None) -> bytes:
    """Run pandoc; ``timestamp`` becomes its SOURCE_DATE_EPOCH (the DOCX's dates)."""
    env = None
    if timestamp is not None:
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(timestamp)}
    try:
        proc = subprocess.run(
            [pandoc_path(), *args],
            input=text.encode("utf-8"),
            capture_output=True,
            cwd=cwd,
            env=env,
            check=False,
            timeout=RENDER_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"pandoc did not finish in {RENDER_TIMEOUT} s") from None
    except OSError as exc:
        raise RenderError(f"cannot run pandoc: {exc}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"pandoc failed: {' '.join(message) or 'exit ' + str(proc.returncode)}")
    return proc.stdout


# --------------------------------------------------------------------------- formats


@contextlib.contextmanager
def _reading(project: Project, assembled: Assembled) -> Iterator[list[str]]:
    """pandoc's arguments for reading the assembled brief: audience.lua drops the blocks
    other audiences see (before citeproc, so the references list only what the brief
    keeps), then citeproc resolves the citations against the brief's bibliography."""
    with tempfile.TemporaryDirectory(prefix="briefgen-") as tmp:
        root = project.root
        yield [
            "--from",
            READER,
            "--sandbox",
            "--lua-filter",
            str(template_path(root, "audience.lua")),
            "--citeproc",
            "--bibliography",
            _brief_bibliography(project, assembled, Path(tmp)),
            "--csl",
            str(project.config.csl),
            "--resource-path",
            str(root),
        ]


def _brief_bibliography(project: Project, assembled: Assembled, tmp: Path) -> str:
    """The bibliography citeproc gets: only the entries the brief may cite, written to
    ``tmp`` (the same output, less to read), or the project's file when it cannot be cut."""
    whole = project.rel(project.config.bibliography)
    if "nocite" in assembled.markdown:  # entries listed without being cited
        return whole
    try:
        text = read_text(project.config.bibliography)
    except (OSError, UnicodeDecodeError):
        return whole  # the check has reported it
    part = subset(text, cited_keys(assembled.markdown))
    if part is None:
        return whole
    path = tmp / "references.bib"
    path.write_text(part, encoding="utf-8")
    return str(path)


def render_typst(project: Project, assembled: Assembled, timestamp: int | None = None) -> bytes:
    """The Typst source of the PDF, from its own pandoc process (the PDF's critical path):
    pandoc's Typst writer, with the per-format filters as --lua-filter."""
    root = project.root
    with _reading(project, assembled) as args:
        for name in _format_filters(assembled):
            args += ["--lua-filter", str(template_path(root, name))]
        args += ["--to", "typst-citations", "--standalone"]
        args += ["--template", str(template_path(root, "brief.typst"))]
        args += [] if assembled.look == "ministerial" else ["--toc", "--toc-depth=1"]
        return run_pandoc(args, assembled.markdown, root, timestamp)


def _format_filters(assembled: Assembled) -> tuple[str, ...]:
    """The per-format filters this brief needs. citations.lua unlinks citations of keys the
    bibliography lacks, which only a draft can hold (elsewhere the check refuses them);
    otherwise it has nothing to do, and each filter walks the whole document per format."""
    if is_draft(assembled):
        return FORMAT_FILTERS
    return tuple(name for name in FORMAT_FILTERS if name != "citations.lua")


def _unpack(data: bytes) -> dict[str, bytes]:
    """outputs.lua's container: "<format> <length>\n" then that many bytes, repeated."""
    parts: dict[str, bytes] = {}
    pos = 0
    while pos < len(data):
        newline = data.index(b"\n", pos)
        name, length = data[pos:newline].decode("ascii").split()
        start = newline + 1
        parts[name] = data[start : start + int(length)]
        pos = start + int(length)
    return parts


def compile_pdf(project: Project, typst_source: str, timestamp: int | None) -> bytes:
    import typst

    try:
        pdf = typst.compile(  # type: ignore[call-overload]
            typst_source.encode("utf-8"),
            format="pdf",
            root=str(project.root),
            ignore_system_fonts=True,
            timestamp=timestamp,
        )
    except Exception as exc:  # typst raises its own TypstError (and RuntimeError)
        message = " ".join(str(exc).split())
        raise RenderError(f"typst failed: {message}") from None
    return bytes(pdf)


def render_office(
    project: Project, assembled: Assembled, formats: Sequence[str], timestamp: int | None = None
) -> dict[str, bytes]:
    """DOCX and/or HTML from one pandoc process, which reads the brief and resolves its
    citations once, then runs the per-format filters and writers (templates/outputs.lua);
    the DOCX gets its marking stamped."""
    root = project.root
    paper = "" if assembled.look == "ministerial" else "1"  # a contents list, numbered sections
    filters = "\n".join(str(template_path(root, name)) for name in _format_filters(assembled))
    with _reading(project, assembled) as args:
        args += [
            "--to",
            str(template_path(root, "outputs.lua")),
            "--variable",
            f"briefgen-formats={' '.join(formats)}",
            "--variable",
            f"briefgen-filters={filters}",
            "--variable",
            f"briefgen-toc={paper}",
            "--variable",
            f"briefgen-numbered={paper}",
            "--output",
            "-",
        ]
        if "html" in formats:
            args += ["--variable", f"briefgen-html={template_path(root, 'brief.html')}"]
        if "docx" in formats:
            args += ["--reference-doc", str(template_path(root, "reference.docx"))]
        results = _unpack(run_pandoc(args, assembled.markdown, root, timestamp))
    if "docx" in results:
        marking = str(assembled.metadata["marking"])
        draft = is_draft(assembled)
        results["docx"] = stamp_docx(results["docx"], marking, draft=draft)
    return results


_MARKING_RUN = re.compile(r"<w:r>(?:(?!</w:r>).)*?BRIEFGEN-MARKING</w:t></w:r>", re.S)


_PATH_PROPERTY = re.compile(
    r'<property [^>]*name="(?:bibliography|csl)">(?:(?!</property>).)*</property>', re.S
)


def stamp_docx(data: bytes, marking: str, draft: bool = False) -> bytes:
    """Put the marking, in its TLP colours, into the header and footer placeholders."""
    colour = MARKING_COLOURS[marking]
    run = (
        '<w:r><w:rPr><w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/>'
        f'<w:b/><w:color w:val="{colour}"/><w:sz w:val="18"/>'
        '<w:shd w:val="clear" w:color="auto" w:fill="000000"/></w:rPr>'
        f'<w:t xml:space="preserve"> {marking} </w:t></w:r>'
    )
    if draft:
        run = (
            '<w:r><w:rPr><w:b/><w:color w:val="C00000"/><w:sz w:val="18"/></w:rPr>'
            '<w:t xml:space="preserve">DRAFT — NOT FOR CIRCULATION   </w:t></w:r>' + run
        )
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if re.fullmatch(r"word/(header|footer)\d*\.xml", info.filename):
                text = content.decode("utf-8")
                content = _MARKING_RUN.sub(lambda _: run, text).encode("utf-8")
            elif info.filename == "docProps/custom.xml":
                # pandoc copies metadata into custom properties, machine paths included
                text = _PATH_PROPERTY.sub("", content.decode("utf-8"))
                content = text.encode("utf-8")
            target.writestr(info, content, compress_type=info.compress_type)
    return buffer.getvalue()


# --------------------------------------------------------------------------- build


def output_stem(brief: str, draft: bool) -> str:
    """The name a brief's outputs and manifest start with: ``note``, or ``note.draft`` for a
    draft (brief names hold no dot, so a draft never takes a real output's name)."""
    return brief + DRAFT if draft else brief


def is_draft(assembled: Assembled) -> bool:
    return bool(assembled.metadata.get("draft"))


TEMPLATE_FILES = (
    "outputs.lua",
    "audience.lua",
    "brief.lua",
    "citations.lua",
    "brief.typst",
    "brief.html",
    "reference.docx",
)


def build_key(project: Project, assembled: Assembled) -> str:
    """Everything the outputs depend on: the assembled document (sections, brief, date,
    marking), the bibliography, the CSL style, the templates and the tools' versions."""
    h = hashlib.sha256()
    parts = [
        assembled.markdown.encode("utf-8"),
        project.config.bibliography.read_bytes(),
        project.config.csl.read_bytes(),
    ]
    parts += [template_path(project.root, name).read_bytes() for name in TEMPLATE_FILES]
    parts.append(f"{__version__}/{pandoc_version()}/{typst_version()}".encode())
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def up_to_date(
    outdir: Path, brief: Brief, key: str, formats: Iterable[str], draft: bool = False
) -> bool:
    """Whether every requested output exists, unchanged, from a build with this key."""
    stem = output_stem(brief.name, draft)
    try:
        manifest = json.loads((outdir / f"{stem}.manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("build_key") != key or manifest.get("draft") is not draft:
        return False
    outputs = manifest.get("outputs", {})
    for fmt in formats:
        path = outdir / f"{stem}.{fmt}"
        recorded = outputs.get(path.name)
        if recorded is None or not path.is_file() or sha256(path.read_bytes()) != recorded:
            return False
    return True


class Cancelled(Exception):
    """A rendering started ahead of the check, which then refused the brief."""


def render_outputs(
    project: Project,
    brief: Brief,
    assembled: Assembled,
    formats: Iterable[str],
    cancelled: threading.Event | None = None,
    office_after: threading.Event | None = None,
) -> dict[str, bytes]:
    """Every requested format's bytes, rendered in parallel; nothing is written.

    The PDF path (pandoc to Typst, then the Typst compile) is the long one: it runs in its
    own pandoc process, beside one that writes DOCX and HTML together. A rendering started
    ahead of the check passes ``office_after`` (the DOCX/HTML process waits for it, leaving
    the cores to the check and the PDF path) and ``cancelled`` (set when the check refuses
    the brief: what has not started yet raises Cancelled instead).
    """
    formats = [f for f in FORMATS if f in set(formats)]
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    timestamp = int(epoch) if epoch.isdigit() else dt_timestamp(brief_date(brief))
    office = [f for f in formats if f in ("docx", "html")]

    def pdf() -> dict[str, bytes]:
        source = render_typst(project, assembled, timestamp)
        if cancelled is not None and cancelled.is_set():
            raise Cancelled(brief.name)
        return {"pdf": compile_pdf(project, source.decode("utf-8"), timestamp)}

    def docx_html() -> dict[str, bytes]:
        if office_after is not None:
            office_after.wait()
        if cancelled is not None and cancelled.is_set():
            raise Cancelled(brief.name)
        return render_office(project, assembled, office, timestamp)

    jobs: list[Callable[[], dict[str, bytes]]] = []
    if "pdf" in formats:
        jobs.append(pdf)
    if office:
        jobs.append(docx_html)
    with ThreadPoolExecutor(max_workers=len(jobs) or 1) as pool:
        futures = [pool.submit(job) for job in jobs]
        produced = {k: v for future in futures for k, v in future.result().items()}
    return {f: produced[f] for f in formats}


def write_outputs(
    project: Project,
    brief: Brief,
    assembled: Assembled,
    results: dict[str, bytes],
    outdir: Path,
    claims: dict[str, int],
    key: str,
) -> BuildOutput:
    """Write rendered outputs (atomically), then the manifest that records them; a draft's
    go to ``<brief>.draft.*`` beside the real ones, never over them."""
    stem = output_stem(brief.name, is_draft(assembled))
    outputs: dict[str, Path] = {}
    for fmt, data in results.items():
        path = outdir / f"{stem}.{fmt}"
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise RenderError(f"cannot write {path}: {exc.strerror}") from None
        outputs[fmt] = path
    manifest = outdir / f"{stem}.manifest.json"
    document = manifest_document(project, brief, assembled, claims, results)
    document["build_key"] = key
    hashes = {f"{stem}.{fmt}": sha256(data) for fmt, data in results.items()}
    document["outputs"] = dict(sorted({**_kept_outputs(manifest, key, outdir), **hashes}.items()))
    write_atomic(manifest, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode())
    return BuildOutput(brief.name, outputs, manifest)


def _kept_outputs(manifest: Path, key: str, outdir: Path) -> dict[str, str]:
    """Outputs of other formats from an earlier build of the same inputs, still on disk."""
    try:
        old = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if old.get("build_key") != key:
        return {}
    return {
        name: digest
        for name, digest in old.get("outputs", {}).items()
        if (outdir / name).is_file() and sha256((outdir / name).read_bytes()) == digest
    }


def dt_timestamp(date: dt.date) -> int:
    """Midnight UTC of a date, as the PDF's creation timestamp."""
    return int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp())


def manifest_document(
    project: Project,
    brief: Brief,
    assembled: Assembled,
    claims: dict[str, int],
    results: dict[str, bytes],
) -> dict[str, object]:
    config = project.config
    inputs = [project.root / "briefgen.yaml", config.bibliography, brief.path]
    inputs += [project.sections[s].path for s in brief.sections if s in project.sections]
    stem = output_stem(brief.name, is_draft(assembled))
    return {
        "brief": brief.name,
        "draft": is_draft(assembled),  # verify refuses a draft
        "audience": brief.audience,
        "marking": assembled.metadata["marking"],
        "inputs": {project.rel(p): sha256(p.read_bytes()) for p in inputs},
        "tools": {
            "briefgen": __version__,
            "pandoc": pandoc_version(),
            "typst": typst_version(),
            "csl": config.csl_name,
        },
        "claims": claims,
        "outputs": {f"{stem}.{fmt}": sha256(data) for fmt, data in sorted(results.items())},
    }


def verify_output(project: Project, output: Path) -> list[str]:
    """What no longer matches between an output, its manifest and the project's inputs.

    An empty list means the file is exactly what the recorded inputs built. A draft is never
    verified: it raises BriefgenError.
    """
    name = output.name.rsplit(".", 1)[0]
    if name.endswith(DRAFT):
        raise _draft_output(output)
    manifest_path = output.with_name(f"{name}.manifest.json")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RenderError(
            f"{manifest_path}: no manifest beside the output: build it again"
        ) from None
    except (OSError, ValueError) as exc:
        raise RenderError(f"{manifest_path}: unreadable manifest ({exc})") from None
    if manifest.get("draft") is True:
        raise _draft_output(output)
    problems = []
    if manifest.get("draft") is not False:  # an older briefgen's manifest: it may be a draft
        problems.append(f"{manifest_path.name} does not say whether it is a draft: build again")
    recorded = manifest.get("outputs", {}).get(output.name)
    if recorded is None:
        problems.append(f"{output.name} is not among the outputs the manifest records")
    elif not output.is_file():
        problems.append(f"{output} is missing")
    elif sha256(output.read_bytes()) != recorded:
        problems.append(f"{output.name} was changed after it was built")
    for rel, digest in sorted(manifest.get("inputs", {}).items()):
        path = project.root / rel
        if not path.is_file():
            problems.append(f"{rel} no longer exists")
        elif sha256(path.read_bytes()) != digest:
            problems.append(f"{rel} changed since the build")
    brief = project.briefs.get(str(manifest.get("brief")))
    if brief is not None:
        now = {
            project.rel(project.sections[s].path) for s in brief.sections if s in project.sections
        }
        added = now - set(manifest.get("inputs", {}))
        problems.extend(f"{rel} was added to the brief since the build" for rel in sorted(added))
    tools = {"briefgen": __version__, "pandoc": pandoc_version(), "typst": typst_version()}
    for tool, version in tools.items():
        if manifest.get("tools", {}).get(tool) != version:
            problems.append(
                f"built with {tool} {manifest.get('tools', {}).get(tool)}, now {version}"
            )
    return problems


def _draft_output(output: Path) -> BriefgenError:
    return BriefgenError(f"{output} is a draft: drafts are not verified; build without --draft")
