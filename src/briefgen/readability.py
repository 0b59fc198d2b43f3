"""Flesch-Kincaid grade of a brief's prose.

Syllables come from pyphen's hyphenation dictionaries, which ship inside the wheel.
(textstat was measured first: its 0.7 series downloads NLTK's cmudict at run time, which
briefgen must never do.)
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

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


class SyllableMemo:
    """Syllable counts of the words seen before, in ``.briefgen-cache/``, keyed by
    briefgen's code and libraries (pyphen among them): a check whose words are all known
    does not load the hyphenation dictionary, which costs more than the rest of a check
    with one file edited."""

    FILE = "syllables-1.json"
    LIMIT = 200_000  # distinct words kept; a project's vocabulary is a small part of that

    def __init__(self, cache_dir: Path) -> None:
        from briefgen.cache import code_identity, read_entry

        self.path = cache_dir / self.FILE
        self.code = code_identity()
        self.counts: dict[str, int] = {}
        payload = read_entry(self.path)  # signed by this user's key, or a miss
        try:
            stored = json.loads(payload) if payload is not None else {}
            if stored.get("code") == self.code:
                self.counts = {str(k): int(v) for k, v in stored["words"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
        if len(self.counts) > self.LIMIT:  # words of sections long gone: start afresh
            self.counts = {}
        self.changed = False

    def count(self, word: str) -> int:
        key = word.lower()
        known = self.counts.get(key)
        if known is None:
            known = self.counts[key] = syllables(key)
            self.changed = True
        return known

    def save(self) -> None:
        if not self.changed:
            return
        from briefgen.cache import write_entry

        data = json.dumps({"code": self.code, "words": self.counts}, separators=(",", ":"))
        write_entry(self.path, data.encode("utf-8"))
        self.changed = False


def flesch_kincaid_grade(
    sentences: Iterable[str], memo: SyllableMemo | None = None
) -> float | None:
    """0.39 * words per sentence + 11.8 * syllables per word - 15.59; None without text."""
    count = memo.count if memo is not None else syllables
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
