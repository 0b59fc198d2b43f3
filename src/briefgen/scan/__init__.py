"""Reading section files for the check: the claim rule and what serves it.

pandoc     the one place pandoc is run (for reading here, and for rendering)
batch      many files through few pandoc processes, on every core: ``scan_files``
walker     the claim rule: pandoc's AST of one file -> FileScan (pure)
inlines    a paragraph's inlines -> its text, with citations and footnotes marked
places     where divs, spans, links and raw content are in the source
sentences  where one sentence ends and the next begins
locate     finding rendered text again in its source (pandoc gives no positions)
fences     fenced divs and code blocks, as pandoc's reader takes them
model      the records a scan gives the checker
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from briefgen.scan.model import (
    AUDIENCE_CLASS,
    DATED_ATTRIBUTES,
    DATED_CLASS,
    EXEMPT_CLASSES,
    AudienceBlock,
    CitationUse,
    Dated,
    FenceProblem,
    FileScan,
    Markup,
    MetadataBlock,
    Progress,
    RawUse,
    ScanInput,
    Sentence,
    Target,
    is_dated,
    split_names,
)

if TYPE_CHECKING:
    from briefgen.scan.batch import scan_files
    from briefgen.scan.walker import walk


def __getattr__(name: str) -> Any:
    """``scan_files`` and ``walk``, imported on first use: the records above are all that a
    warm check (answered from the cache) needs, and the walker's modules cost ~40 ms."""
    if name == "scan_files":
        from briefgen.scan.batch import scan_files

        return scan_files
    if name == "walk":
        from briefgen.scan.walker import walk

        return walk
    raise AttributeError(f"module 'briefgen.scan' has no attribute '{name}'")


__all__ = [
    "AUDIENCE_CLASS",
    "DATED_ATTRIBUTES",
    "DATED_CLASS",
    "EXEMPT_CLASSES",
    "AudienceBlock",
    "CitationUse",
    "Dated",
    "FenceProblem",
    "FileScan",
    "Markup",
    "MetadataBlock",
    "Progress",
    "RawUse",
    "ScanInput",
    "Sentence",
    "Target",
    "is_dated",
    "scan_files",
    "split_names",
    "walk",
]
