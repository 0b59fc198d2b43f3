"""Flesch-Kincaid grade of a brief's prose.

Syllables come from pyphen's hyphenation dictionaries, which ship inside the wheel.
(textstat was measured first: its 0.7 series downloads NLTK's cmudict at run time, which
briefgen must never do.)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


_loaded: list[object] = []
_loading = threading.Lock()


def _dictionary() -> object:
    with _loading:
        if not _loaded:
            import pyphen

            _loaded.append(pyphen.Pyphen(lang="en_GB"))
        return _loaded[0]


def load_dictionary() -> None:
    """Load the hyphenation dictionary now (~0.15-0.3 s) if it is not loaded yet; safe
    from any thread. The first syllable count loads it anyway: a caller about to wait on
    something else (the check waits on pandoc) calls this on a thread of its own, which
    it starts and joins, so the load overlaps the wait. briefgen starts no thread here."""
    _dictionary()


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    positions = _dictionary().positions(word.lower())  # type: ignore[attr-defined]
    return max(1, len(positions) + 1)


def flesch_kincaid_grade(
    sentences: Iterable[str], count: Callable[[str], int] | None = None
) -> float | None:
    """0.39 * words per sentence + 11.8 * syllables per word - 15.59; None without text.
    ``count``: a word's syllables (default :func:`syllables`; the check passes the syllable
    memo's, briefgen.cache.memos)."""
    count = count if count is not None else syllables
    n_sentences = n_words = n_syllables = 0
    for sentence in sentences:
        words = _WORD.findall(sentence)
        if not words:
            continue
        n_sentences += 1
        n_words += len(words)
        n_syllables += sum(count(w) for w in words)
    if not n_words:
        return None
    grade = 0.39 * n_words / n_sentences + 11.8 * n_syllables / n_words - 15.59
    return round(grade, 1)
