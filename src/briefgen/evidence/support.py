"""How well a passage supports a claim, and whether a pinpoint points where the support is.

The score of a passage for a claim is in [0, 1]: the share of the claim's meaning-bearing
words (each weighted by its BM25 idf over every passage of the project's sources) that the
passage uses, blended with the share of the claim's figures the passage holds and the
share of its names (capitalised words and acronyms) it mentions:

    score = 0.6 coverage + 0.2 figures + 0.2 names

(a claim without figures or names gives their weight to coverage). A claim is weakly
supported when the best passages of its cited sources, read together, score below
``THRESHOLD``; a claim citing several sources that is supported, but where one source's
best passage scores below ``FLOOR``, is flagged at that citation. Both are calibrated
on a synthetic set (benchmarks/README.md, "Calibrating the support threshold").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from briefgen.evidence.figures import Figure, missing
from briefgen.evidence.passages import Index, Passage, pinpoints, stem, terms

THRESHOLD = 0.30  # calibrated: benchmarks/README.md
FLOOR = 0.10  # a source of a supported claim scoring below this is flagged on its own
TOGETHER = 2  # the best passages of each cited source read together
MARGIN = 0.15  # a pinpointed passage this close to the best one is as good
NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b([A-Z][\w’'-]*[A-Za-z]|[A-Z]{2,}\w*)")


@dataclass(frozen=True)
class Match:
    key: str
    rel: str  # the source file
    page: str | None  # the page of the passage (None: its text has no pages)
    passage: str
    score: float
    pages: tuple[str, ...] = ()  # the pages the passage is on or names
    articles: tuple[str, ...] = ()  # the articles it falls under or names


def names(text: str) -> set[str]:
    """The stemmed names in a claim: capitalised words not opening it, acronyms."""
    return {stem(m.group(1)) for m in NAME.finditer(text.strip())} - {""}


class Claim:
    """One claim's words, names and figures, ready to score passages."""

    def __init__(self, text: str, figures: Sequence[Figure], index: Index) -> None:
        self.words = set(terms(text))
        self.names = names(text) & self.words
        self.figures = list(figures)
        self.index = index
        # a word no source uses at all says nothing about which source supports the claim
        self.weights = {t: index.idf[t] for t in self.words if t in index.idf}
        self.total = sum(self.weights.values())

    def score(self, passage: Passage) -> float:
        return self.score_of(passage.counts.keys(), passage.values)

    def score_of(self, words: Collection[str], values: frozenset[str]) -> float:
        """The score of a text with these (stemmed) words and figure values."""
        parts: list[tuple[float, float]] = []
        if self.total:
            shared = sum(w for t, w in self.weights.items() if t in words)
            parts.append((0.6, shared / self.total))
        if self.figures:
            held = sum(not missing(f, values) for f in self.figures)
            parts.append((0.2, held / len(self.figures)))
        if self.names:
            parts.append((0.2, len([n for n in self.names if n in words]) / len(self.names)))
        weight = sum(w for w, _ in parts)
        return round(sum(w * v for w, v in parts) / weight, 3) if weight else 0.0

    def together(self, passages: Sequence[Passage]) -> float:
        """The score of the passages read together (the best of each cited source: a claim
        may join what two sources say, or two points of one source note)."""
        words: set[str] = set()
        values: set[str] = set()
        for p in passages:
            words.update(p.counts)
            values.update(p.values)
        return self.score_of(words, frozenset(values))

    def support(self, keys: Sequence[str]) -> tuple[dict[str, list[Match]], list[Match], float]:
        """Each key's passages by score, the best passage of each key (best first), and
        the claim's support: the best passages read together, or the best one alone."""
        ranked = {key: self.best(key, top=40) for key in keys}
        best = {key: [m for m, _ in found] for key, found in ranked.items()}
        tops = sorted((m[0] for m in best.values() if m), key=lambda m: -m.score)
        read = [p for found in ranked.values() for _, p in found[:TOGETHER]]
        return best, tops, max([self.together(read), *(m.score for m in tops)])

    def best(self, key: str, top: int = 8) -> list[tuple[Match, Passage]]:
        """The key's passages by score, best first (among BM25's ``top`` best)."""
        query = sorted(self.words)
        found = self.index.ranked(key, query, top)
        matches = [(_match(p, self.score(p)), p) for p in found]
        matches.sort(key=lambda m: -m[0].score)
        return matches


def _match(p: Passage, score: float) -> Match:
    pages = set(p.names[0]) | ({p.page} if p.page is not None else set())
    articles = set(p.names[1]) | ({p.article} if p.article is not None else set())
    return Match(p.key, p.rel, p.page, p.text, score, tuple(sorted(pages)), tuple(sorted(articles)))


def where(match: Match, kind: str) -> str:
    """Where a passage is, as a pinpoint: ``p. 14``, ``art. 5``, or its file."""
    if kind == "page" and match.pages:
        return ("p. " if len(match.pages) == 1 else "pp. ") + ", ".join(match.pages)
    if kind == "article" and match.articles:
        return "art. " + ", ".join(match.articles)
    return match.rel


def pinpoint_problem(locator: str, matches: Sequence[Match]) -> str | None:
    """What is wrong with a pinpoint (``p. 12``, ``art. 5``) given a key's best passages, or
    None: the best passage is where it points, one near as good is, or the source does not
    say where its passages are (then nothing can be judged)."""
    pages, articles = pinpoints(locator)
    if not matches or not (pages or articles):
        return None
    best = matches[0]
    kind, wanted = ("page", pages) if pages else ("article", articles)
    located = best.pages if kind == "page" else best.articles
    if not located or wanted.intersection(located):
        return None
    at = [m for m in matches if wanted.intersection(m.pages if kind == "page" else m.articles)]
    if at and at[0].score >= best.score - MARGIN:
        return None
    there = f"{at[0].score:.2f}" if at else "no passage"
    return (
        f"pinpoint '{locator}' of '{best.key}': the passage that best supports the claim is "
        f"at {where(best, kind)} (score {best.score:.2f}; at {locator}: {there}): check the "
        "pinpoint"
    )
