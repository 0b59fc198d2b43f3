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
import re
from pathlib import Path
from posixpath import normpath

from briefgen.claims import FileScan
from briefgen.files import inside
from briefgen.findings import Finding
from briefgen.markup import AUDIENCE_ATTRIBUTES, near_attribute

LINK_SCHEMES = ("http", "https", "mailto")
ALLOWED_ATTRIBUTES = frozenset((*AUDIENCE_ATTRIBUTES, "lang", "dir", "title", "width", "height"))
_SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f]+")


def unsafe_findings(rel: str, scan: FileScan, root: Path | None = None) -> list[Finding]:
    out: list[Finding] = []
    for target in scan.targets:
        problem = (
            link_problem(target.url)
            if target.element == "link"
            else image_problem(target.url, root)
        )
        if problem:
            out.append(
                Finding(rel, target.line, target.column, "raw-content", problem, target.url)
            )
    for use in scan.markup:
        for name in use.attributes:
            if name in ALLOWED_ATTRIBUTES or near_attribute(name):
                continue  # a typo of an audience attribute is reported as markup
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


def image_problem(src: str, root: Path | None = None) -> str | None:
    """Why an image path is refused, or None. With the project's ``root``, an image that is
    a link to a file outside the project is refused too."""
    plain = _INVISIBLE_RE.sub("", src)
    if _SCHEME_RE.match(plain) or plain.startswith(("/", "\\")) or "\\" in plain:
        return (
            f"image '{src[:60]}' is not allowed in sections: give the path of an image file "
            "inside the project, relative to it (images/figure.png)"
        )
    if normpath(plain).startswith("..") or (
        root is not None and os.path.lexists(root / plain) and not inside(root, root / plain)
    ):
        return (
            f"image '{src[:60]}' is outside the project: keep images inside it and give "
            "their path relative to it (images/figure.png)"
        )
    return None
