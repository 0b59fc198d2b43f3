"""Walk the checked claims and judge each against its cited sources' texts (see the
package's docstring for the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from briefgen.evidence.figures import Figure, find_figures, missing
from briefgen.evidence.locate import Located, claims_of
from briefgen.evidence.passages import Index
from briefgen.evidence.support import FLOOR, THRESHOLD, Claim, Match, pinpoint_problem
from briefgen.evidence.texts import Library, load_library
from briefgen.findings import Finding
from briefgen.model import Project, Section
from briefgen.scan import FileScan, Sentence

if TYPE_CHECKING:
    from briefgen.bibliography import Bibliography
    from briefgen.memory import Memory

__all__ = ["THRESHOLD", "Assessment", "Evidence", "Match", "assess", "find_figures"]


@dataclass(frozen=True)
class Assessment:
    """One claim's evidence."""

    rel: str
    line: int
    column: int
    text: str
    keys: tuple[str, ...]  # the cited keys with a source text
    matches: tuple[Match, ...]  # the best passage of each of those keys, best first
    figures: tuple[Figure, ...]  # the claim's figures (positions in ``text``)
    unsupported: tuple[Figure, ...]  # those in no cited source's text
    judged: bool  # every cited key has a source text
    support: float = 0.0  # the best passages of its sources, read together (support.py)


@dataclass
class Evidence:
    findings: list[Finding] = field(default_factory=list)
    claims: dict[tuple[str, int, int], Assessment] = field(default_factory=dict)
    with_text: frozenset[str] = frozenset()  # keys that have a source text


def assess(
    project: Project,
    sections: Iterable[Section],
    scans: dict[str, FileScan],
    bib: Bibliography,
    audiences: set[str] | None,
    library: Library | None = None,
    memory: Memory | None = None,
) -> Evidence:
    """The evidence findings for the claims of ``sections`` read by ``audiences``
    (``library``: the source texts, if already read; benchmarks pass altered ones)."""
    if library is None:
        library = load_library(project.root, bib, memory)
    evidence = Evidence(list(library.findings), with_text=frozenset(library.texts))
    required = project.config.require_source_text
    if not library.texts and not required:
        return evidence
    index = Index(library.texts)
    cited: dict[str, tuple[str, int, int]] = {}
    for section in sections:
        scan = scans.get(section.id)
        if scan is None or scan.error is not None:
            continue
        for located in claims_of(section, scan, audiences):
            for key in located.sentence.keys:
                cited.setdefault(key, (section.rel, located.sentence.line, located.sentence.column))
            _judge(evidence, located, section.rel, index, library, bib)
    if required:
        evidence.findings.extend(_missing_texts(cited, library, bib))
    return evidence


def _judge(
    evidence: Evidence,
    located: Located,
    rel: str,
    index: Index,
    library: Library,
    bib: Bibliography,
) -> None:
    sentence = located.sentence
    known = [k for k in dict.fromkeys(sentence.keys) if k in bib.entries]
    keys = tuple(k for k in known if k in library.texts)
    if not keys:
        return
    figures = find_figures(sentence.text)
    claim = Claim(sentence.text, figures, index)
    best, tops, support = claim.support(keys)
    judged = len(keys) == len(known)
    unsupported = tuple(f for f in figures if all(missing(f, index.values[k]) for k in keys))
    evidence.claims[(rel, sentence.line, sentence.column)] = Assessment(
        rel, sentence.line, sentence.column, sentence.text, keys, tuple(tops), tuple(figures),
        unsupported if judged else (), judged, support,
    )  # fmt: skip
    if judged:
        evidence.findings.extend(_findings(rel, located, keys, unsupported, support, tops, best))


def _findings(
    rel: str,
    located: Located,
    keys: tuple[str, ...],
    unsupported: tuple[Figure, ...],
    support: float,
    tops: list[Match],
    best: dict[str, list[Match]],
) -> list[Finding]:
    """A judged claim's findings: its unsupported figures, weak support, stray pinpoints."""
    sentence = located.sentence
    out = [_unsupported(rel, located, keys, figure) for figure in unsupported]
    if support < THRESHOLD:
        out.append(_weak(rel, located, support, tops))
    elif len(keys) > 1:  # supported, but one of its sources may say nothing of it
        out += [_idle(rel, located, key, best[key]) for key in keys if _score(best[key]) < FLOOR]
    for key, locator in located.pinpoints:
        problem = pinpoint_problem(locator, best.get(key, []))
        if problem is not None:
            line, column = located.citation(key)
            out.append(Finding(rel, line, column, "pinpoint-mismatch", problem, sentence.text))
    return out


def _score(matches: list[Match]) -> float:
    return matches[0].score if matches else 0.0


def _idle(rel: str, located: Located, key: str, matches: list[Match]) -> Finding:
    line, column = located.citation(key)
    return Finding(
        rel,
        line,
        column,
        "weak-support",
        f"'{key}' gives this claim almost no support: its best passage scores "
        f"{_score(matches):.2f}, below {FLOOR:.2f}, while the claim's other sources support "
        "it: check this citation",
        located.sentence.text,
    )


def _unsupported(rel: str, located: Located, keys: tuple[str, ...], figure: Figure) -> Finding:
    line, column = located.position(figure)
    searched = ", ".join(f"'{k}'" for k in keys)
    where = f"the source text of {searched}" if len(keys) == 1 else f"any of {searched}"
    return Finding(
        rel,
        line,
        column,
        "unsupported-figure",
        f"figure '{figure.raw}' is not in {where}: check the figure against the source, "
        "or cite a source that gives it",
        located.sentence.text,
    )


def _weak(rel: str, located: Located, support: float, tops: list[Match]) -> Finding:
    sentence = located.sentence
    names = ", ".join(f"'{k}'" for k in dict.fromkeys(located.sentence.keys))
    if tops:
        best = tops[0]
        page = f", p. {best.page}" if best.page is not None else ""
        said = f"support {support:.2f} (best passage: {best.key}{page})"
    else:
        said = "support 0.00 (no passage shares a word with it)"
    return Finding(
        rel,
        sentence.line,
        sentence.column,
        "weak-support",
        f"claim is weakly supported by {names}: {said}, below {THRESHOLD:.2f}: check that "
        "the source says this, or cite one that does",
        sentence.text,
    )


def _missing_texts(
    cited: dict[str, tuple[str, int, int]], library: Library, bib: Bibliography
) -> list[Finding]:
    out = []
    for key, (rel, line, column) in sorted(cited.items()):
        if key in bib.entries and key not in library.texts:
            out.append(
                Finding(
                    rel,
                    line,
                    column,
                    "missing-source-text",
                    f"'{key}' has no source text, and require_source_text is on: add "
                    f"sources/{key}.md (notes), .txt, .pdf or .html, or a file field to its entry",
                    f"@{key}",
                )
            )
    return out


def evidence_mark(evidence: Evidence, rel: str, sentence: Sentence) -> str | None:
    """How a draft marks a cited claim: ``unsupported-figure``, ``weak-support`` or None."""
    found = evidence.claims.get((rel, sentence.line, sentence.column))
    if found is None or not found.judged:
        return None
    if found.unsupported:
        return "unsupported-figure"
    return "weak-support" if found.support < THRESHOLD else None
