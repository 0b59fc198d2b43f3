"""The evidence as readers see it: in the claim ledger, ``briefgen evidence`` and ``refs``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from briefgen.errors import ConfigError
from briefgen.evidence.engine import Assessment, Evidence
from briefgen.evidence.figures import Figure, find_figures
from briefgen.evidence.support import THRESHOLD

if TYPE_CHECKING:
    from briefgen.check import CheckResult
    from briefgen.model import Project

MARK_OPEN, MARK_CLOSE = "[[", "]]"  # a figure, marked in text


def evidence_rows(assessment: Assessment | None) -> tuple[dict[str, Any], ...]:
    """A claim's evidence for the ledger: each cited source's best passage, best first."""
    if assessment is None:
        return ()
    return tuple(
        {"key": m.key, "source": m.rel, "page": m.page, "passage": m.passage, "score": m.score}
        for m in assessment.matches
    )


def evidence_cell(evidence: Iterable[dict[str, Any]]) -> str:
    """The ledger's CSV cell: ``key p. 12 (0.82); other (0.41)``."""
    parts = []
    for e in evidence:
        page = f" p. {e['page']}" if e["page"] is not None else ""
        parts.append(f"{e['key']}{page} ({e['score']:.2f})")
    return "; ".join(parts)


def mark(text: str, figures: Iterable[Figure]) -> str:
    """``text`` with the figures (found in it) between [[ and ]]."""
    out, at = [], 0
    for f in sorted(figures, key=lambda f: f.start):
        out += [text[at : f.start], MARK_OPEN, text[f.start : f.end], MARK_CLOSE]
        at = f.end
    out.append(text[at:])
    return "".join(out)


def claim_evidence(assessment: Assessment | None, with_text: frozenset[str]) -> dict[str, Any]:
    """``briefgen evidence``'s answer for one claim (JSON), or why there is none."""
    if assessment is None:
        return {"judged": False, "support": None, "threshold": THRESHOLD, "passages": []}
    wanted = {v for f in assessment.figures for v in f.values}
    passages = []
    for m in assessment.matches:
        shown = [f for f in find_figures(m.passage, claim=False) if wanted & set(f.values)]
        passages.append(
            {
                "key": m.key,
                "source": m.rel,
                "page": m.page,
                "score": m.score,
                "passage": m.passage,
                "marked": mark(m.passage, shown),
            }
        )
    return {
        "judged": assessment.judged,
        "support": assessment.support,
        "threshold": THRESHOLD,
        "marked": mark(assessment.text, assessment.figures),
        "figures": [
            {"figure": f.raw, "found": f not in assessment.unsupported} for f in assessment.figures
        ],
        "keys_with_text": list(assessment.keys),
        "passages": passages,
    }


def claim_evidence_text(row: dict[str, Any], found: dict[str, Any], keys: Iterable[str]) -> str:
    """The text ``briefgen evidence CLAIM-ID`` prints: the claim beside its passages."""
    where = f"{row['file']}:{row['line']}:{row['column']}"
    lines = [f"{row['id']}  {where}", f"  {found.get('marked', row['text'])}", ""]
    without = [k for k in keys if k not in found.get("keys_with_text", [])]
    if not found["passages"]:
        lines.append("No cited source has a source text: nothing to compare the claim with.")
    for figure in found.get("figures", []):
        state = "found in a cited source" if figure["found"] else "NOT in any cited source"
        lines.append(f"  figure {figure['figure']}: {state}")
    if found["support"] is not None:
        verdict = "weak" if found["support"] < found["threshold"] else "supported"
        lines.append(f"  support {found['support']:.2f} ({verdict}; threshold {THRESHOLD:.2f})")
    for p in found["passages"]:
        page = f", p. {p['page']}" if p["page"] is not None else ""
        lines += ["", f"{p['key']}  {p['source']}{page}  score {p['score']:.2f}"]
        lines.append(f"  {p['marked']}")
    if without:
        lines += ["", f"No source text for: {', '.join(without)} (not judged)"]
    return "\n".join(lines)


def coverage(evidence: Evidence, cited: Iterable[str]) -> dict[str, Any]:
    """How many cited keys have a source text, and which do not."""
    keys = sorted(set(cited))
    have = [k for k in keys if k in evidence.with_text]
    return {
        "cited": len(keys),
        "with_text": len(have),
        "without_text": [k for k in keys if k not in evidence.with_text],
    }


def find_claim(project: Project, result: CheckResult, claim: str) -> dict[str, Any]:
    """The claim with id ``claim`` (its ledger row, less the evidence column) and its
    evidence (:func:`claim_evidence`). Raises ConfigError for an id no claim has."""
    from briefgen import ledger
    from briefgen.findings import did_you_mean

    rows = {r.id: r for r in ledger.ledger(project, result)}
    if claim not in rows:
        hint = did_you_mean(claim, rows)
        raise ConfigError(f"no claim '{claim}'{hint}: 'briefgen claims' lists the claim ids")
    row = rows[claim]
    assessment = result.evidence.claims.get((row.file, row.line, row.column))
    found = claim_evidence(assessment, result.evidence.with_text)
    return {"claim": {k: v for k, v in asdict(row).items() if k != "evidence"}, **found}
