"""Assembled Markdown -> PDF (pandoc -> Typst -> typst), DOCX and HTML.

pandoc runs with ``--sandbox`` so section text cannot pull in files from outside the
project; typst compiles with the project as its root and only its embedded fonts, so the
same inputs give the same bytes on every machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefgen.assemble import Assembled, shown_marking, template_path, unescape
from briefgen.bibliography import cited_keys, read_bibliography, subset
from briefgen.draft_page import findings_page
from briefgen.errors import RenderError
from briefgen.files import Refused, decode_text, sha256, write_set
from briefgen.inputs import Input, brief_inputs, input_digest, key_content
from briefgen.memory import Memory
from briefgen.model import SECTIONS_DIR, Brief, Project
from briefgen.office import stamp_docx
from briefgen.safety import embed_images, image_files, sanitise_html
from briefgen.scan import pandoc
from briefgen.scan.pandoc import READER, pandoc_path

FORMATS = ("pdf", "docx", "html")
# Accessible PDF: tagged, with its language, title and every image's alt text (Typst checks)
PDF_STANDARD = "ua-1"
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


def run_pandoc(args: Sequence[str], text: str, cwd: Path, timestamp: int | None = None) -> bytes:
    """Run pandoc (briefgen.scan.pandoc.run, whose errors it raises); ``timestamp`` becomes
    its SOURCE_DATE_EPOCH (the DOCX's dates)."""
    env = dict(pandoc.render_env())  # a heap limit, as for reading
    if timestamp is not None:
        env["SOURCE_DATE_EPOCH"] = str(timestamp)
    return pandoc.run(args, text, timeout=pandoc.RENDER_TIMEOUT, cwd=cwd, env=env or None)


# --------------------------------------------------------------------------- formats


@contextlib.contextmanager
def _reading(project: Project, assembled: Assembled) -> Iterator[list[str]]:
    """pandoc's arguments for reading the assembled brief: audience.lua drops the blocks
    other audiences see (before citeproc, so the references list only what the brief
    keeps), dated.lua takes the dated statements' markup away, figures.lua numbers figures
    and tables and reads image paths beside the sections, then citeproc resolves the
    citations against the brief's bibliography."""
    with tempfile.TemporaryDirectory(prefix="briefgen-") as tmp:
        root = project.root
        yield [
            "--from",
            READER,
            "--sandbox",
            "--lua-filter",
            str(template_path(project, "audience.lua")),
            *_dated_filter(project, assembled),
            "--lua-filter",
            str(template_path(project, "figures.lua")),
            *_media(project, assembled, Path(tmp)),
            "--citeproc",
            "--bibliography",
            brief_bibliography(project, assembled.markdown, Path(tmp)),
            "--csl",
            str(project.config.csl),
            "--resource-path",
            str(root),
            *_fixed_metadata(assembled),
        ]


_DATED_MARKUP_RE = re.compile(r"dated|until=|as-of=")


def _dated_filter(project: Project, assembled: Assembled) -> list[str]:
    """dated.lua, when the brief holds dated markup: it has nothing to do in one that does
    not (the check refuses a date attribute without the class), and a Lua filter's pass
    over the document costs each pandoc run ~50 ms on a 20-section brief."""
    if not _DATED_MARKUP_RE.search(assembled.markdown):
        return []
    return ["--lua-filter", str(template_path(project, "dated.lua"))]


def _media(project: Project, assembled: Assembled, tmp: Path) -> list[str]:
    """figures.lua's metadata: the sections' folder, and a listing of the image files a
    brief may show (safety.image_files: ``<relative path>\t<absolute path>`` lines), to
    read each image's path relative to its section, then to the project."""
    args = [f"--metadata=briefgen-sections:{SECTIONS_DIR}"]
    if "![" in assembled.markdown:  # no image without one
        listing = tmp / "media"
        media = image_files(project.root)
        listing.write_text("".join(f"{rel}\t{path}\n" for rel, path in media.items()))
        args.append(f"--metadata=briefgen-media:{listing}")
    return args


#: Metadata that decides what a brief shows and how it is marked. It is given on pandoc's
#: command line too, where it outranks any metadata block in the document: a block that
#: slipped into a section (the check refuses them) still could not change the audience the
#: audience filter keeps, or the marking.
FIXED_METADATA = ("briefgen-audience", "marking", "marking-fg", "look")


def _fixed_metadata(assembled: Assembled) -> list[str]:
    return [f"--metadata={key}:{assembled.metadata[key]}" for key in FIXED_METADATA]


def brief_bibliography(
    project: Project, markdown: str, tmp: Path, why: str = "run 'briefgen check' to see why"
) -> str:
    """The bibliography citeproc gets for ``markdown``: only the entries it may cite,
    written to ``tmp`` (the same output, less to read), or the project's file when it
    cannot be cut. ``why``: what the error says to do when the file cannot be read."""
    whole = project.rel(project.config.bibliography)
    try:  # bounded, before pandoc is given the file (a rendering may start ahead of the check)
        text = decode_text(read_bibliography(project.root, project.config.bibliography))
    except (Refused, OSError, UnicodeDecodeError):
        raise RenderError(f"{whole}: cannot be read: {why}") from None
    if "nocite" in markdown:  # entries listed without being cited
        return whole
    part = subset(text, cited_keys(markdown))
    if part is None:
        return whole
    path = tmp / "references.bib"
    path.write_text(part, encoding="utf-8")
    return str(path)


def render_typst(project: Project, assembled: Assembled, timestamp: int | None = None) -> bytes:
    """The Typst source of the PDF, from its own pandoc process (the PDF's critical path):
    pandoc's Typst writer, with the per-format filters as --lua-filter.

    The writer runs without ``smart``: the reader and citeproc have already made quotes and
    apostrophes typographic, and with ``smart`` the writer turns each U+2019 back into an
    ASCII ``'`` for Typst's smart quotes to guess at: after a digit Typst prints a prime,
    after a closing double quote an opening quote (issue #19). Written as they are, the PDF
    shows the characters the DOCX and HTML show."""
    root = project.root
    with _reading(project, assembled) as args:
        for name in _format_filters(assembled):
            args += ["--lua-filter", str(template_path(project, name))]
        # one line a paragraph: Typst reads a wrapped line that starts "3. " as a list item
        args += ["--to", "typst-citations-smart", "--standalone", "--wrap=none"]
        args += ["--template", str(template_path(project, "brief.typst"))]
        args += [] if assembled.look == "ministerial" else ["--toc", "--toc-depth=1"]
        source = run_pandoc(args, assembled.markdown, root, timestamp)
    if is_draft(assembled):  # the open findings on a last page (escaped: draft_page.py)
        source += findings_page(assembled.findings).encode("utf-8")
    return source


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
            pdf_standards=PDF_STANDARD,
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
    filters = "\n".join(str(template_path(project, name)) for name in _format_filters(assembled))
    with contextlib.ExitStack() as stack:
        args = stack.enter_context(_reading(project, assembled))
        args += [
            "--to",
            str(template_path(project, "outputs.lua")),
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
        media: dict[str, Path] = {}
        if "![" in assembled.markdown:  # no image without one
            listing = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "media"
            media = image_files(project.root)
            listing.write_text("".join(f"{rel}\t{path}\n" for rel, path in media.items()))
            args += ["--variable", f"briefgen-media={listing}"]
        if "html" in formats:
            args += ["--variable", f"briefgen-html={template_path(project, 'brief.html')}"]
        if "docx" in formats:
            args += ["--reference-doc", str(template_path(project, "reference.docx"))]
        results = _unpack(run_pandoc(args, assembled.markdown, root, timestamp))
    if "html" in results:
        results["html"] = embed_images(sanitise_html(results["html"]), media)
    if "docx" in results:
        marking = str(assembled.metadata["marking"])
        title = unescape(str(assembled.metadata["title"]))
        draft, label = is_draft(assembled), shown_marking(assembled)
        results["docx"] = stamp_docx(results["docx"], marking, title, draft=draft, label=label)
    return results


# --------------------------------------------------------------------------- build


def output_stem(brief: str, draft: bool) -> str:
    """The name a brief's outputs and manifest start with: ``note``, or ``note.draft`` for a
    draft (brief names hold no dot, so a draft never takes a real output's name)."""
    return brief + DRAFT if draft else brief


def is_draft(assembled: Assembled) -> bool:
    return bool(assembled.metadata.get("draft"))


def build_key(project: Project, brief: Brief, assembled: Assembled) -> str:
    """Everything the outputs depend on: the assembled document (the brief's date, marking
    and audience, a draft's marks) and every input of the brief (briefgen.inputs: files by
    name and content, a refused one by its size and time; the tools' versions)."""
    h = hashlib.sha256()
    inputs = brief_inputs(project, brief)
    h.update(hashlib.sha256(assembled.markdown.encode("utf-8")).digest())
    h.update(json.dumps(assembled.findings).encode())  # a draft's findings page
    for item in inputs.files:
        h.update(f"{item.name}\0".encode())
        h.update(hashlib.sha256(key_content(project.root, item)).digest())
    h.update(json.dumps(inputs.tools).encode())
    return h.hexdigest()


def up_to_date(
    project: Project,
    outdir: Path,
    brief: Brief,
    key: str,
    formats: Iterable[str],
    draft: bool = False,
    memory: Memory | None = None,
) -> bool:
    """Whether every requested output exists, unchanged, from a build with this key, as this
    machine's own record in ``memory`` says (briefgen.cache.builds): outputs and a manifest
    that came with the checkout, or were edited by hand, are never taken for a build; without
    a memory, nothing is up to date."""
    stem = output_stem(brief.name, draft)
    recorded = memory.recorded_outputs(outdir, stem, key) if memory is not None else {}
    for fmt in formats:
        path = outdir / f"{stem}.{fmt}"
        if path.name not in recorded or _digest(path) != recorded[path.name]:
            return False
    return True


def _digest(path: Path) -> str | None:
    """SHA-256 of an output file, or None when it is not one (missing, a link, a device)."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return sha256(path.read_bytes())
    except OSError:
        return None


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
    timestamp = assembled.timestamp
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
    memory: Memory | None = None,
) -> BuildOutput:
    """Write rendered outputs and the manifest that records them as one set (outputs first,
    the manifest last: files.write_set), then this machine's record of the build. A draft's
    go to ``<brief>.draft.*`` beside the real ones, never over them."""
    stem = output_stem(brief.name, is_draft(assembled))
    manifest = outdir / f"{stem}.manifest.json"
    document = manifest_document(project, brief, assembled, claims, results)
    document["build_key"] = key
    hashes = {f"{stem}.{fmt}": sha256(data) for fmt, data in results.items()}
    # other formats of the same build
    kept = memory.recorded_outputs(outdir, stem, key) if memory is not None else {}
    kept = {name: d for name, d in kept.items() if _digest(outdir / name) == d}
    written = dict(sorted({**kept, **hashes}.items()))
    document["outputs"] = written
    files = [(f"{stem}.{fmt}", data) for fmt, data in results.items()]
    files.append((manifest.name, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()))
    try:
        write_set(outdir, files, stem)
    except OSError as exc:
        raise RenderError(f"cannot write to {outdir}: {exc.strerror or exc}") from None
    if memory is not None:
        memory.record_outputs(outdir, stem, key, written)
    outputs = {fmt: outdir / f"{stem}.{fmt}" for fmt in results}
    return BuildOutput(brief.name, outputs, manifest)


def _input_hash(project: Project, item: Input) -> str:
    """An input's hash for the manifest (read as the loader reads it); an input gone or
    refused since the check is an error, not a crash (e.g. under watch)."""
    try:
        return input_digest(project.root, item)
    except (Refused, OSError):
        raise RenderError(f"{item.name} changed while the brief was built: build again") from None


def manifest_document(
    project: Project,
    brief: Brief,
    assembled: Assembled,
    claims: dict[str, int],
    results: dict[str, bytes],
) -> dict[str, object]:
    """The manifest beside a brief's outputs: what verify compares. ``inputs`` holds the
    brief's project files (project-relative paths), ``tool_files`` briefgen's own templates
    the build used (``briefgen:templates/<file>``), both by SHA-256; ``tools`` the versions
    and the CSL style (briefgen.inputs.brief_inputs)."""
    inputs = brief_inputs(project, brief)
    stem = output_stem(brief.name, is_draft(assembled))
    return {
        "brief": brief.name,
        "draft": is_draft(assembled),  # verify refuses a draft
        "audience": brief.audience,
        "marking": assembled.metadata["marking"],
        "inputs": {i.name: _input_hash(project, i) for i in inputs.project_files},
        "tool_files": {i.name: _input_hash(project, i) for i in inputs.own_files},
        "tools": dict(inputs.tools),
        "claims": claims,
        "outputs": {f"{stem}.{fmt}": sha256(data) for fmt, data in sorted(results.items())},
    }
