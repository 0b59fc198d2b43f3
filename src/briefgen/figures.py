"""Cross-references to figures and tables (Quarto's convention): ``@fig-id`` and
``@tbl-id`` name a figure (``![Caption](chart.png){#fig-id}``) or a table (a caption
ending ``{#tbl-id}``); they are never bibliography keys, and templates/figures.lua renders
them "Figure 2" and "Table 1". One that names no figure or table is a ``cross-reference``
error at its place (rendered, it would read "??")."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from briefgen.findings import Finding, closest
from briefgen.model import Project, Section
from briefgen.scan import FileScan

#: An identifier given in attributes: ``{#fig-chart}``, ``{#tbl-counts .wide}``.
_DEFINED_RE = re.compile(r"\{[^{}\n]*?#((?:fig|tbl)-[^\s{}]+)")


def defined_ids(sections: Sequence[Section]) -> frozenset[str]:
    """The figure and table identifiers the sections define."""
    return frozenset(
        m.group(1)
        for section in sections
        for m in _DEFINED_RE.finditer(section.source, section.body_offset)
    )


def cross_reference_findings(
    project: Project, sections: Sequence[Section], scans: Mapping[str, FileScan]
) -> list[Finding]:
    """A cross-reference whose figure or table no section of the project defines."""
    defined = defined_ids(list(project.sections.values()))
    out: list[Finding] = []
    for section in sections:
        for target in scans[section.id].targets:
            if target.element != "crossref":
                continue
            ident = target.url.removeprefix("@")
            if ident in defined:
                continue
            kind = "figure" if ident.startswith("fig-") else "table"
            prefix = ident[:4]  # fig- or tbl-: suggest by what follows it
            names = [d[4:] for d in defined if d.startswith(prefix)]
            close = closest(ident[4:], names)
            hint = f" (did you mean '{prefix}{close}'?)" if close else ""
            out.append(
                Finding(
                    section.rel,
                    target.line,
                    target.column,
                    "cross-reference",
                    f"'{target.url}' names no {kind}{hint}: give the "
                    f"{kind} the id {{#{ident}}}, or correct the reference",
                    target.url,
                )
            )
    return out
