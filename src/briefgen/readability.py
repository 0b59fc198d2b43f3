"""Flesch-Kincaid grade of a brief's prose.

Syllables come from pyphen's hyphenation dictionaries, which ship inside the wheel.
(textstat was measured first: its 0.7 series downloads NLTK's cmudict at run time, which
briefgen must never do.)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
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


def preload() -> None:
    """Start loading the hyphenation dictionary (~0.15-0.3 s) in the background, for a
    caller that is about to wait on something else (the check waits on pandoc)."""
    if not _loaded:
        threading.Thread(target=_dictionary, name="pyphen-preload", daemon=True).start()


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    positions = _dictionary().positions(word.lower())  # type: ignore[attr-defined]
    return max(1, len(positions) + 1)


def flesch_kincaid_grade(sentences: Iterable[str]) -> float | None:
    """0.39 * words per sentence + 11.8 * syllables per word - 15.59; None without text."""
    n_sentences = n_words = n_syllables = 0
    for sentence in sentences:
        words = _WORD.findall(sentence)
        if not words:
            continue
        n_sentences += 1
        n_words += len(words)
        n_syllables += sum(syllables(w) for w in words)
    if not n_words:
        return None
    grade = 0.39 * n_words / n_sentences + 11.8 * n_syllables / n_words - 15.59
    return round(grade, 1)
