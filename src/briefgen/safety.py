"""What content may put into an output: link targets, image paths and attributes.

Sections are content, from many contributors: they never inject code into an output. A
link may only go to ``http``, ``https``, ``mailto`` or a ``#`` anchor (never
``javascript:``, ``data:``, ``vbscript:``, a file path); an image is a relative path inside
the project; an attribute is one of a fixed set (audience attributes, ``lang``, ``dir``,
``title``, ``width``, ``height``), never an event handler, a style or a writer-specific
attribute such as ``typst:text:fill`` or ``custom-style``. Anything else is a
``raw-content`` error at its place, whatever ``allow_raw`` says.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from pathlib import Path
from posixpath import normpath

from briefgen.files import inside
from briefgen.findings import Finding
from briefgen.markup import AUDIENCE_ATTRIBUTES, near_attribute
from briefgen.model import LANGUAGE_TAG_RE
from briefgen.scan import DATED_ATTRIBUTES, DATED_CLASS, FileScan, Target
from briefgen.scan.locate import Locator, blanked, code_spans
from briefgen.scan.model import NO_ALT

LINK_SCHEMES = ("http", "https", "mailto")
ALLOWED_ATTRIBUTES = frozenset(
    (*AUDIENCE_ATTRIBUTES, *DATED_ATTRIBUTES, "lang", "dir", "title", "width", "height")
)
_SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f]+")


def unsafe_findings(rel: str, scan: FileScan, root: Path | None = None) -> list[Finding]:
    out: list[Finding] = []
    for target in scan.targets:
        if target.element == "crossref":  # figures.py
            continue
        problem = (
            link_problem(target.url)
            if target.element == "link"
            else image_problem(target.url, root, posixpath.dirname(rel))
        )
        if problem:
            out.append(Finding(rel, target.line, target.column, "raw-content", problem, target.url))
        elif target.element == NO_ALT:
            out.append(_no_alt(rel, target))
    for use in scan.markup:
        dated = DATED_CLASS in use.classes and use.element in ("div", "span")
        for name in use.attributes:
            if name in ALLOWED_ATTRIBUTES or near_attribute(name) or dated:
                continue  # reported as markup (a typo of an audience attribute) or as
                # dated-attribute (a dated statement takes only its dates)
            out.append(
                Finding(
                    rel,
                    use.line,
                    use.column,
                    "raw-content",
                    f"attribute '{name}=' on a {use.element} is not allowed in sections: "
                    f"remove it (allowed: {', '.join(sorted(ALLOWED_ATTRIBUTES))})",
                    name,
                )
            )
    return out


def _no_alt(rel: str, target: Target) -> Finding:
    name = posixpath.basename(target.url)[:60]
    return Finding(
        rel,
        target.line,
        target.column,
        "image-alt",
        f"image '{name}' has no alt text: say what it shows between the brackets, "
        f"![what it shows]({name}), for readers who cannot see it (the PDF is PDF/UA-1)",
        target.url,
    )


_ATTRIBUTES_RE = re.compile(r"\{[^{}\n]*\}")
_LANG_RE = re.compile(r"""(?<![\w:-])lang=(?:"([^"]*)"|'([^']*)'|([^\s}"']*))""")


def language_findings(rel: str, source: str, body_offset: int) -> list[Finding]:
    """A ``lang=`` on a div, span or heading whose value is not a language tag: pandoc
    reads ``lang=english``, typst refuses the PDF ("expected two or three letter language
    code"). Read from the source (outside code), where the value is."""
    if source.find("lang=", body_offset) < 0:
        return []
    locator = Locator(source, body_offset)
    text = blanked(source, [(0, body_offset), *locator.code_blocks()])
    text = blanked(text, code_spans(text))
    out: list[Finding] = []
    for braces in _ATTRIBUTES_RE.finditer(text, body_offset):
        for m in _LANG_RE.finditer(braces.group()):
            value = next(v for v in m.groups() if v is not None)
            if LANGUAGE_TAG_RE.fullmatch(value):
                continue
            line, column = locator.position(braces.start() + m.start())
            shown = value if len(value) <= 40 else value[:37] + "..."
            out.append(
                Finding(
                    rel,
                    line,
                    column,
                    "raw-content",
                    f"lang='{shown}' is not a language tag: write one such as en-GB or fr",
                    value,
                )
            )
    return out


def link_problem(url: str) -> str | None:
    """Why a link target is refused, or None."""
    plain = _INVISIBLE_RE.sub("", url)
    if plain.startswith("#"):
        return None
    scheme = _SCHEME_RE.match(plain)
    if scheme and scheme.group(1).lower() in LINK_SCHEMES:
        return None
    shown = url if len(url) <= 60 else url[:57] + "..."
    return (
        f"link target '{shown}' is not allowed in sections: a link goes to an http, https "
        "or mailto address, or to a #section of the brief"
    )


IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp"})
IMAGE_LIMIT = 64 * 1024 * 1024  # bytes of one image file
_IMAGE_COUNT_LIMIT = 10_000


def image_files(root: Path) -> dict[str, Path]:
    """The image files a brief may show: by path relative to the project, each a regular
    file inside the project (links resolved) with an image extension, of at most
    IMAGE_LIMIT bytes, readable, and whose first bytes are of its kind (image_defect).
    Hidden directories (.git, the cache) are not searched. The DOCX and HTML writer reads
    these and nothing else (templates/outputs.lua)."""
    found: dict[str, Path] = {}
    base = root.resolve()
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.rpartition(".")[2].lower() not in IMAGE_EXTENSIONS:
                continue
            path = Path(dirpath, name)
            rel = path.relative_to(base).as_posix()
            if "\t" in rel or "\n" in rel or not inside(base, path):
                continue
            if image_defect(path) is None:
                found[rel] = path.resolve()
            if len(found) >= _IMAGE_COUNT_LIMIT:
                return found
    return found


#: The first bytes of each kind of image (an SVG is XML text).
_SIGNATURES = {
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
}


def image_defect(path: Path) -> str | None:
    """Why an image file in the project cannot be shown, or None: not a regular file,
    larger than IMAGE_LIMIT, unreadable, or bytes that are not of the kind its name says
    (a .png that is no PNG: typst would refuse the whole PDF)."""
    try:
        status = path.stat()
    except OSError:
        return "is not a file in the project"
    if not stat.S_ISREG(status.st_mode):
        return "is not a file in the project"
    if status.st_size > IMAGE_LIMIT:
        return f"is larger than {IMAGE_LIMIT // 2**20} MB, more than briefgen embeds"
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    kind = path.name.rpartition(".")[2].lower()
    if kind == "webp":
        good = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    elif kind == "svg":
        good = b"<svg" in head or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml")
    else:
        good = head.startswith(_SIGNATURES[kind])
    return None if good else f"is not a {kind.upper()} image: its bytes are of another kind"


def image_readings(src: str, base: str) -> list[str]:
    """The project-relative paths an image path may name, in the order tried: relative to
    the folder of the section that shows it (``base``), then to the project."""
    plain = _INVISIBLE_RE.sub("", src)
    readings = [normpath(f"{base}/{plain}")] if base else []
    if normpath(plain) not in readings:
        readings.append(normpath(plain))
    return readings


def _inside_reading(root: Path, reading: str) -> bool:
    return not reading.startswith("..") and (
        not os.path.lexists(root / reading) or inside(root, root / reading)
    )


def _present(root: Path | None, readings: list[str]) -> list[str]:
    """The readings that name something inside the project."""
    if root is None:
        return []
    return [r for r in readings if _inside_reading(root, r) and (root / r).exists()]


def _leaves(root: Path | None, readings: list[str]) -> bool:
    """Whether a reading leaves the project (``..``, or a link to outside)."""
    if root is None:
        return any(r.startswith("..") for r in readings)
    return not all(_inside_reading(root, r) for r in readings)


def _not_an_image(src: str, plain: str) -> str | None:
    extension = plain.rpartition("/")[2].rpartition(".")[2].lower()
    if "." not in plain.rpartition("/")[2] or extension not in IMAGE_EXTENSIONS:
        return (
            f"image '{src[:60]}' is not an image file: an image is a "
            f"{', '.join('.' + e for e in sorted(IMAGE_EXTENSIONS))} file inside the project"
        )
    return None


def image_problem(src: str, root: Path | None = None, base: str = "") -> str | None:
    """Why an image path is refused, or None. The path is read relative to the section's
    folder ``base`` first, then to the project. With the project's ``root``, the image must
    be a file there that can be shown (image_defect); a reading that leaves the project
    (``..``, a link to a file outside) is refused unless another names such a file."""
    plain = _INVISIBLE_RE.sub("", src)
    if _SCHEME_RE.match(plain) or plain.startswith(("/", "\\")) or "\\" in plain:
        return (
            f"image '{src[:60]}' is not allowed in sections: give the path of an image file "
            "inside the project, relative to it (images/figure.png)"
        )
    readings = image_readings(src, base)
    present = _present(root, readings)
    if not present and _leaves(root, readings):
        return (
            f"image '{src[:60]}' is outside the project: keep images inside it and give "
            "their path relative to it (images/figure.png)"
        )
    kind = _not_an_image(src, plain)
    if kind is not None or root is None:
        return kind
    if not present:
        where = f"in {base}/ beside the section, then " if base else ""
        return (
            f"image '{src[:60]}' is not a file in the project: check the path "
            f"(looked for it {where}in the project's folder)"
        )
    defect = image_defect(root / present[0])
    return f"image '{src[:60]}' {defect}" if defect else None


# --------------------------------------------------------------------------- HTML output

#: What the body of an HTML output may hold after pandoc: the tags pandoc writes for prose,
#: tables, figures, footnotes and citations, and briefgen's template's own.
HTML_TAGS = frozenset({"main", "section", "tfoot", "figure", "figcaption"})
HTML_GENERIC = frozenset({"class", "id", "role", "lang", "dir", "title"})
HTML_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "style"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "col": {"span", "style"},
}
_BODY_RE = re.compile(rb"(<body[^>]*>)(.*)(</body>)", re.S)


def sanitise_html(document: bytes) -> bytes:
    """The HTML output with its body passed through nh3 (the ammonia sanitiser), as defence
    in depth behind the check: only known tags and attributes, links to http, https, mailto
    or within the page, no script, no event handler, no style but widths and alignment.
    The head is briefgen's template's, with every value pandoc escaped."""
    import nh3

    match = _BODY_RE.search(document)
    if match is None:
        raise ValueError("an HTML output without a body")
    attributes = {tag: set(names) for tag, names in HTML_ATTRIBUTES.items()}
    attributes["*"] = set(HTML_GENERIC)
    body = nh3.clean(
        match.group(2).decode("utf-8"),
        tags=set(nh3.ALLOWED_TAGS | HTML_TAGS),
        attributes=attributes,
        generic_attribute_prefixes={"data-", "aria-"},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"width", "height", "text-align", "vertical-align"},
    )
    return document[: match.start(2)] + body.encode("utf-8") + document[match.end(2) :]


_IMG_SRC_RE = re.compile(rb'(<img\b[^>]*?\ssrc=")([^"]*)(")')
_MIME = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
         "svg": "image/svg+xml", "webp": "image/webp"}


def embed_images(document: bytes, media: dict[str, Path]) -> bytes:
    """The sanitised HTML with each image put inside it as a ``data:`` URI, so the file
    can be mailed on its own (Quarto's embed-resources). Only a ``src`` that names one of
    ``media`` (image_files: checked files inside the project) is replaced, with bytes
    briefgen reads and encodes itself; after the sanitiser, so content never writes a
    ``data:`` URI of its own (an SVG shown through ``<img>`` runs no script)."""
    import base64
    import html

    def inline(match: re.Match[bytes]) -> bytes:
        rel = html.unescape(match.group(2).decode("utf-8"))
        path = media.get(rel)
        if path is None:
            return match.group(0)
        kind = _MIME[rel.rpartition(".")[2].lower()]
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return match.group(1) + f"data:{kind};base64,{data}".encode("ascii") + match.group(3)

    return _IMG_SRC_RE.sub(inline, document) if media else document
