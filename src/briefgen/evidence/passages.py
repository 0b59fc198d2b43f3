"""Passages of the source texts and a small BM25 index over them (pure, no I/O).

A page is cut into passages at blank lines and list items (a source note's bullets are
one passage each), and a long paragraph into runs of about 80 words. Each passage keeps
its page, the article it falls under (a line starting ``Article 5`` or ``Art. 5`` opens
article 5 until the next), and the pages its own text names (``p. 12``, ``pp. 8-11``:
how a source note gives its pinpoints). BM25 (k1 = 1.2, b = 0.75) ranks the passages for a
claim; own code, since the corpus is a project's few thousand passages at most and the
index is built in milliseconds (benchmarks/bench_evidence.py measures it).
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from briefgen.evidence.figures import source_values
from briefgen.evidence.texts import SourceText

WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "may",
        "might",
        "more",
        "most",
        "must",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "shall",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "per",
        "via",
        "within",
        "without",
        "whether",
        "upon",
        "among",
        "amongst",
        "says",
        "said",
        "according",
    ]
)
PINPOINT = re.compile(
    r"\b(?P<kind>pp?|pages?|arts?|articles?)\.?\s*(?P<a>\d+)(?:\s*(?:-|–|—|to)\s*(?P<b>\d+))?",
    re.IGNORECASE,
)
ARTICLE_HEADING = re.compile(r"^\s*(?:#+\s*)?(?:article|art\.)\s*(\d+)\b", re.IGNORECASE)
SPLIT = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+•]|\d+[.)])\s)")
MAX_WORDS = 80


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: enough to match "encrypted" with "encryption"."""
    word = word.lower().replace("’", "'")
    word = word[:-2] if word.endswith("'s") else word.rstrip("'")
    for suffix in ("ational", "ation", "ations", "ement", "ments", "ment", "ness", "ities",
                   "ity", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s", "ion", "ions",
                   "al", "er", "ers", "e", "y"):  # fmt: skip
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """The words of a text that carry meaning, stemmed."""
    out = []
    for match in WORD.finditer(text):
        word = match.group(0)
        if word.lower() in STOP or len(word) < 2:
            continue
        out.append(stem(word))
    return out


def pinpoints(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The pages and the articles a text names (``p. 12``, ``pp. 8-11``, ``art. 5``)."""
    pages: set[str] = set()
    articles: set[str] = set()
    for match in PINPOINT.finditer(text):
        a = int(match.group("a"))
        b = int(match.group("b") or a)
        span = [str(n) for n in range(a, b + 1)] if 0 <= b - a <= 200 else [str(a), str(b)]
        (articles if match.group("kind").lower().startswith("art") else pages).update(span)
    return frozenset(pages), frozenset(articles)


@dataclass(frozen=True)
class Passage:
    key: str
    rel: str  # the source file
    page: str | None  # the page it is on (None: the text has no pages)
    text: str
    article: str | None  # the article it falls under, if the text has article headings
    names: tuple[frozenset[str], frozenset[str]]  # pages and articles its text names
    counts: Counter[str] = field(compare=False)
    length: int = 0
    values: frozenset[str] = frozenset()  # its figures (figures.source_values)


def _chunks(text: str) -> Iterable[str]:
    for block in SPLIT.split(text):
        words = block.split()
        for start in range(0, len(words), MAX_WORDS):
            chunk = " ".join(words[start : start + MAX_WORDS])
            if chunk:
                yield chunk


def passages(source: SourceText) -> list[Passage]:
    out: list[Passage] = []
    article: str | None = None
    for page in source.pages:
        for chunk in _chunks(page.text):
            heading = ARTICLE_HEADING.match(chunk)
            if heading:
                article = heading.group(1)
            words = terms(chunk)
            out.append(
                Passage(
                    source.key,
                    source.rel,
                    page.label,
                    chunk,
                    article,
                    pinpoints(chunk),
                    Counter(words),
                    len(words),
                    source_values(chunk),
                )
            )
    return out


def to_json(found: Sequence[Passage]) -> list[list[Any]]:
    """Passages as JSON data (the cache keeps a source file's passages by its bytes)."""
    return [
        [p.key, p.rel, p.page, p.text, p.article, sorted(p.names[0]), sorted(p.names[1]),
         dict(p.counts), p.length, sorted(p.values)]
        for p in found
    ]  # fmt: skip


def from_json(data: list[list[Any]]) -> list[Passage]:
    """:func:`to_json`'s passages back (raises ValueError, TypeError ... on bad data)."""
    out = []
    for key, rel, page, text, article, pages, articles, counts, length, values in data:
        counts = Counter({str(t): int(n) for t, n in counts.items()})
        names = (frozenset(map(str, pages)), frozenset(map(str, articles)))
        out.append(
            Passage(str(key), str(rel), page, str(text), article, names, counts, int(length),
                    frozenset(map(str, values)))
        )  # fmt: skip
    return out


class Index:
    """BM25 over every passage of a project's sources, searched one key at a time."""

    K1 = 1.2
    B = 0.75

    def __init__(self, by_key: Mapping[str, Sequence[Passage]]) -> None:
        self.by_key: dict[str, list[Passage]] = {}
        self.values: dict[str, frozenset[str]] = {}  # every figure of a key's texts
        df: Counter[str] = Counter()
        total = 0
        for key, found in ((k, list(v)) for k, v in by_key.items()):
            self.by_key[key] = found
            self.values[key] = frozenset().union(*(p.values for p in found))
            for p in found:
                df.update(p.counts.keys())
                total += p.length
        count = sum(len(v) for v in self.by_key.values())
        self.size = count
        self.average = total / count if count else 1.0
        self.idf = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        self.unseen = math.log(1 + (count + 0.5) / 0.5)  # a word no source uses

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.unseen)

    def bm25(self, query: Sequence[str], passage: Passage) -> float:
        score = 0.0
        norm = self.K1 * (1 - self.B + self.B * passage.length / self.average)
        for term in set(query):
            tf = passage.counts.get(term, 0)
            if tf:
                score += self.weight(term) * tf * (self.K1 + 1) / (tf + norm)
        return score

    def ranked(self, key: str, query: Sequence[str], top: int = 8) -> list[Passage]:
        """The key's passages best matching the query, best first (BM25)."""
        found = self.by_key.get(key, [])
        scored = [(self.bm25(query, p), i) for i, p in enumerate(found)]
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [found[i] for _, i in scored[:top]]
