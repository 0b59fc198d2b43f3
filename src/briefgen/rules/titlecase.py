"""Title words that lose their capitals in the reference list (`title-case` warning).

pandoc reads an English BibTeX title as title case and turns it into sentence case as it
reads it (pandoc's BibTeX reader, citeproc's sentence-case transform): a capitalised word
(one capital, then only lower-case letters: ``Nations``, ``A``, ``Über``) becomes lower
case unless it is the title's first word, follows ``.``, ``?``, ``!`` or ``:`` and a
space, or stands inside braces. Words with more capitals (``EU``, ``McDowell``, ``iOS``)
and words with digits (``C3P``) keep their case. A CSL style that title-cases titles puts
the capitals back; any other style (ieee, apa ...) prints the lowered words.

This module follows that transform on the raw BibTeX value, with the LaTeX pandoc reads
in titles: braces protect, accents (``\\'E``) make letters, ``\\emph{...}`` and friends
are transformed like plain text, ``\\textsc{...}`` is protected, math and commands pandoc
does not render are left alone. ``tests/test_titlecase.py`` checks it against pandoc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from briefgen.load.csl import titles_capitalised
from briefgen.rules.bibtex_text import Break, GroupEnd, Piece, pieces

# pandoc breaks words at these (and at spaces)
_WORD_BREAKS = frozenset("-/\u2013\u2014")
_SENTENCE_END = frozenset(".?!:")


class _State(Enum):
    START = 1
    START_SENTENCE = 2
    AFTER_WORD_END = 3
    AFTER_WORD_CHAR = 4
    AFTER_SENTENCE_END = 5
    AFTER_OTHER = 6
    BEFORE_LAST_WORD = 7


@dataclass(frozen=True)
class Lowered:
    written: str  # the word as the title writes it (LaTeX included)
    printed: str  # the word as the reference list prints it

    @property
    def braced(self) -> str:
        return "{" + self.written + "}"


def applies(lang: str, csl: Path) -> bool:
    """Whether lowered title words print lowered: pandoc sentence-cases titles only when
    the document's language (``lang:`` in briefgen.yaml) is English, and a style that
    title-cases every title puts the capitals back."""
    return lang.lower().split("-")[0] == "en" and not titles_capitalised(csl)


#: at most this many words are named for one field
LISTED = 6

# the fields pandoc sentence-cases (its BibTeX reader's getTitle), booktitle only where it
# names the containing book (inbook, incollection, inproceedings ...)
_FIELDS = ("title", "subtitle", "titleaddon", "maintitle", "series", "eventtitle", "origtitle")
_IN_BOOK = frozenset({"inbook", "incollection", "inproceedings", "inreference", "bookinbook"})


def entry_message(entry_type: str, fields: dict[str, str]) -> str | None:
    """The `title-case` finding's message for an entry (one clause per field whose words
    lose their capitals), or None when no word does. ``fields``: lower-case names."""
    if not english(fields):
        return None
    names = [*_FIELDS, "booktitle"] if entry_type in _IN_BOOK else _FIELDS
    clauses = [
        message(words, name)
        for name in names
        if name in fields and (words := lowered_words(fields[name]))
    ]
    return "; ".join(clauses) or None


def message(words: list[Lowered], field: str = "title") -> str:
    """What to do about these words of a field (at least one) that lose their capitals."""
    if len(words) == 1:
        (word,) = words
        return (
            f"{field} word '{word.written}' will print as '{word.printed}': write "
            f"{word.braced} if its capital must stay, or {word.printed} if not"
        )
    shown = words[:LISTED]
    more = f" and {len(words) - len(shown)} more" if len(words) > len(shown) else ""
    written = ", ".join(f"'{w.written}'" for w in shown)
    printed = ", ".join(f"'{w.printed}'" for w in shown)
    braced = ", ".join(w.braced for w in shown)
    return (
        f"{field} words {written}{more} will print as {printed}{' ...' if more else ''}: "
        f"write {braced}{' ...' if more else ''} where the capital must stay, the others in "
        "lower case"
    )


def lowered_words(title: str) -> list[Lowered]:
    """Each word of a BibTeX title (the field's value, without its outer delimiters) that
    prints in lower case after pandoc's sentence casing, once each, in order."""
    seen: dict[str, Lowered] = {}
    for word in _transform(title)[1]:
        seen.setdefault(word.written, word)
    return list(seen.values())


def sentence_case(title: str) -> str:
    """The title's text as pandoc's sentence casing leaves it (tests compare it with
    pandoc's own output)."""
    return _transform(title)[0]


def english(fields: dict[str, str]) -> bool:
    """Whether pandoc sentence-cases this entry's titles: it does unless ``langid`` (or
    ``hyphenation``) names another language than English."""
    lang = (fields.get("langid") or fields.get("hyphenation") or "").strip().lower()
    return not lang or lang.startswith("en") or lang in _ENGLISH_NAMES


# babel/polyglossia names pandoc maps to an English tag
_ENGLISH_NAMES = frozenset(
    ["american", "british", "australian", "newzealand", "canadian", "usenglish", "ukenglish"]
)


# --------------------------------------------------------------------------- casing


@dataclass
class _Chunk:
    """What citeproc's case transform looks at in turn: a run of letters and digits, of
    other characters, of spaces or of no-break spaces; a protected group; a break."""

    kind: str  # "word", "punct", "space", "nbsp", "group" or "break"
    text: str
    start: int = 0  # for a word: the source characters it was read from
    end: int = 0


# what citeproc tells apart: letters and digits, spaces, other white space, the rest
_RUNS = re.compile(r"(?P<word>[^\W_]+)|(?P<space> +)|(?P<nbsp>[^\S ]+)|(?P<punct>(?:[^\w\s]|_)+)")


def _chunks(pieces: list[Piece]) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    group = ""
    for piece in pieces:
        if isinstance(piece, Break):
            chunks.append(_Chunk("break", piece.text))
        elif isinstance(piece, GroupEnd):
            chunks.append(_Chunk("group", group))
            group = ""
        elif piece.group != -1:
            group += piece.text
        else:
            one_for_one = piece.end - piece.start == len(piece.text)
            for run in _RUNS.finditer(piece.text):
                kind, text = str(run.lastgroup), run.group()
                start, end = (
                    (piece.start + run.start(), piece.start + run.end())
                    if one_for_one
                    else (piece.start, piece.end)
                )
                if kind == "space" and (not chunks or chunks[-1].kind == "space"):
                    continue  # a run of spaces is one space; none before the first word
                if chunks and chunks[-1].kind == kind and kind != "space":
                    chunks[-1].text += text
                    chunks[-1].end = end
                else:
                    chunks.append(_Chunk(kind, " " if kind == "space" else text, start, end))
    return chunks


def _transform(title: str) -> tuple[str, list[Lowered]]:
    title = title.strip()
    chunks = _chunks(pieces(title))
    last = _last_word(chunks)
    state = _State.START
    out: list[str] = []
    lowered: list[Lowered] = []
    for index, chunk in enumerate(chunks):
        text = chunk.text
        if index == last and state in (_State.AFTER_WORD_END, _State.START_SENTENCE, _State.START):
            state = _State.BEFORE_LAST_WORD
        if chunk.kind == "word":
            if _capitalised(text) and state not in (_State.START, _State.START_SENTENCE):
                text = text.lower()
                lowered.append(Lowered(title[chunk.start : chunk.end], text))
            elif state in (_State.START, _State.START_SENTENCE) and (
                _capitalised(text) or all(c.islower() for c in text)
            ):
                text = text[0].upper() + text[1:].lower()  # ß -> SS, as pandoc does
            state = _State.AFTER_WORD_CHAR
        elif chunk.kind != "break" and text.rstrip(" "):
            state = _after(text.rstrip(" ")[-1], state)
        elif chunk.kind == "space":
            state = _after(" ", state)
        out.append(text)
    return "".join(out), lowered


def _after(c: str, state: _State) -> _State:
    """The state after a chunk ending in ``c``."""
    if c in _SENTENCE_END:
        return _State.AFTER_SENTENCE_END
    if c.isalnum():
        return _State.AFTER_WORD_CHAR
    if c.isspace() and state == _State.AFTER_SENTENCE_END:
        return _State.START_SENTENCE
    if c.isspace() or c in _WORD_BREAKS:
        return _State.AFTER_WORD_END
    if state in (_State.START, _State.START_SENTENCE):
        return state  # '(', a quotation mark ... before a sentence's first word
    return _State.AFTER_OTHER


def _last_word(chunks: list[_Chunk]) -> int:
    """The index where the title's last word starts, when pandoc treats it as one (a last
    run of unprotected characters with something before it and no space or word break
    inside): a capital there is lowered even after a colon. -1 otherwise."""
    start = len(chunks)
    while start > 0 and chunks[start - 1].kind in ("word", "punct", "nbsp"):
        chunk = chunks[start - 1]
        if chunk.kind == "nbsp" or any(c in _WORD_BREAKS for c in chunk.text):
            return -1
        start -= 1
    return start if 0 < start < len(chunks) else -1


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and all(c.islower() for c in word[1:])
