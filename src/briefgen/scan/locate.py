"""Positions in a section file: pandoc gives none, so what the walker reads in pandoc's AST
is found again in the source.

Rendered text is found by its words. The search runs over a *skeleton* of the source, a copy
of the same length in which markup that renders no words of the sentence is blanked out
(citation groups, link targets, attributes, footnote markers, comments, fence lines, code
blocks), so that ``[Manubot](https://manubot.org), a tool`` reads as ``Manubot, a tool`` and
a sentence's first words are found through links, spans, citations and footnotes. Offsets in
the skeleton are offsets in the source.

The fenced divs (``:::``) and code blocks, as pandoc will read them, are listed here too
(``briefgen.scan.fences``): for the div's line, for the fences that are never closed, and
for the code that holds no prose.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import islice

from briefgen.scan.fences import Fence, LooseFence, scan_fences

WORD_RE = re.compile(r"[^\W_]+")

# Markup blanked in both skeletons. Each pattern's group 1 (or whole match) is blanked.
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
COMMENT_RE = _COMMENT_RE  # an HTML comment: pandoc reads nothing inside it
_BRACKETS_RE = re.compile(r"\[[^\[\]]*\]")
_CITATION_CONTENT_RE = re.compile(r"(?:^|[\s;])-?@[\w]")
_AUTHOR_LOCATOR_RE = re.compile(r"@[\w][\w:.#$%&+?<>~/-]*[ \t]?(\[[^\[\]]*\])")
_LINK_TARGET_RE = re.compile(r"\]\((?:[^()\n]|\([^()\n]*\))*\)|\]\[[^\[\]\n]*\]")
_BRACES_RE = re.compile(r"\{[^{}\n]*\}")
_FOOTNOTE_MARK_RE = re.compile(r"\[\^[^\]\s]+\](?::)?")
_REFERENCE_DEFINITION_RE = re.compile(r"(?m)^[ ]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]+\S.*$")
_INLINE_NOTE_RE = re.compile(r"\^\[")
_FOOTNOTE_REFERENCE_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_FOOTNOTE_DEFINITION_RE = re.compile(r"(?m)^[ ]{0,3}\[\^([^\]\s]+)\]:[ \t]*")
_FENCE_LINE_RE = re.compile(r"(?m)^[ \t]*:{3,}.*$")


class Locator:
    """Finds rendered text again in its source and turns offsets into line:column."""

    def __init__(self, source: str, body_offset: int = 0) -> None:
        self.source = source
        self.body_offset = body_offset
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._skeletons: tuple[str, str, list[tuple[int, int]]] | None = None
        # (in_note, words) -> the lowest offset a search from which found nothing: a
        # search from there on cannot find anything either, so a sentence that is not in
        # the source (an entity, a word pandoc rewrote) costs one scan, not one per sentence
        self._absent: dict[tuple[bool, tuple[str, ...]], int] = {}
        self._notes: list[int] | None = None
        self._fences: tuple[list[Fence], list[LooseFence], list[tuple[int, int]]] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    # ---- skeletons

    def skeleton(self, in_note: bool = False) -> str:
        """The source with markup blanked; ``in_note``: inline footnotes' text kept (the
        footnote walker looks for it), else blanked (it is not the sentence's text)."""
        main, notes, _ = self._skeleton_parts()
        return notes if in_note else main

    def _skeleton_parts(self) -> tuple[str, str, list[tuple[int, int]]]:
        if self._skeletons is None:
            self._skeletons = _skeletons(self.source, self.code_blocks())
        return self._skeletons

    def code_blocks(self) -> list[tuple[int, int]]:
        return self._scan_fences()[2]

    def fences(self) -> list[Fence]:
        return self._scan_fences()[0]

    def loose_fences(self) -> list[LooseFence]:
        return self._scan_fences()[1]

    def _scan_fences(self) -> tuple[list[Fence], list[LooseFence], list[tuple[int, int]]]:
        if self._fences is None:
            self._fences = scan_fences(self.source, self.body_offset, self.line_starts)
        return self._fences

    def note_starts(self) -> list[int]:
        """Where the text of each footnote of the body starts, in the order the notes are
        referenced (the order pandoc's AST holds them in): right after ``^[`` for an inline
        note, after ``[^label]:`` for a note defined apart."""
        if self._notes is None:
            notes = self._skeleton_parts()[2]
            self._notes = [start for ref, start in notes if ref >= self.body_offset]
        return self._notes

    # ---- finding text

    def find_sentence(
        self, text: str, start: int, floor: int, in_note: bool = False
    ) -> tuple[int, int] | None:
        """(offset where ``text`` begins in the source, offset after its last word found),
        searching from ``start`` (then from ``floor``). The first words must follow each
        other with only punctuation or blanked markup between; the end is where its last
        word is (see ``_end_of``)."""
        words = first_words(text)
        if not words:
            return None
        skeleton = self.skeleton(in_note)
        found = None
        if text[:1] == "@":  # an author-in-text citation opens it: ``@key [p. 3] says``
            found = self.find_literal("@" + words[0], start, floor)
        if found is None:
            for count in (min(len(words), 3), 1):
                run = tuple(words[:count])
                found = self._find_words(in_note, run, start)
                if found is None:
                    found = self._find_words(in_note, run, floor)
                if found is not None:
                    break
        if found is None:
            return None
        end = _end_of(skeleton, text, words[0], found)
        return _back_over_openers(self.source, text, words[0], found), end

    def _find_words(self, in_note: bool, words: tuple[str, ...], start: int) -> int | None:
        key = (in_note, words)
        if start >= self._absent.get(key, len(self.source) + 1):
            return None
        found = find_words(self.skeleton(in_note), words, start)
        if found is None:
            self._absent[key] = min(start, self._absent.get(key, start))
        return found

    def find_literal(self, needle: str, start: int, floor: int) -> int | None:
        pos = self.source.find(needle, start)
        if pos < 0:
            pos = self.source.find(needle, floor)
        return pos if pos >= 0 else None


_NOT_NEWLINE_RE = re.compile(r"[^\n]")
_BRACKET_OR_ESCAPE_RE = re.compile(r"\\.|[\[\]]")
_GAP = 600  # most characters of markup (a link target, a citation group) between two words


def _end_of(skeleton: str, text: str, first: str, pos: int) -> int:
    """Offset after the sentence's last word in the source, the sentence starting at
    ``pos``. Markup only ever lengthens text (a citation, a link target, ``--`` for an
    en dash, an entity), so the last word lies no nearer to ``pos`` than it does to the
    sentence's start in ``text``: its first whole-word occurrence from there is taken."""
    end = len(text)
    while end and not text[end - 1].isalnum():
        end -= 1
    begin = end
    while begin and text[begin - 1].isalnum():
        begin -= 1
    last = text[begin:end]
    offset = begin - text.find(first)
    at = _find_word(skeleton, last, pos + max(offset, 0), pos + len(text) * 2 + _GAP)
    return pos + len(first) if at is None else at + len(last)


def _find_word(skeleton: str, word: str, start: int, stop: int) -> int | None:
    """The first occurrence of ``word`` as a whole word in ``skeleton[start:stop]``."""
    at = skeleton.find(word, start, stop)
    while at >= 0:
        before = skeleton[at - 1] if at > 0 else " "
        after = skeleton[at + len(word) : at + len(word) + 1] or " "
        if not before.isalnum() and not after.isalnum():
            return at
        at = skeleton.find(word, at + 1, stop)
    return None


_QUOTES = {"“": '"“', "”": '"”', "‘": "'‘", "’": "'’", "«": "«<", "»": "»>"}


def _back_over_openers(source: str, text: str, first_word: str, pos: int) -> int:
    """Move back from the first word to where the sentence starts in the file: over the
    punctuation it opens with (``(``, ``“``, ``¿``) and the markup that opens emphasis,
    links, autolinks and spans (``*``, ``_``, ``[``, ``<``)."""
    prefix = text[: text.find(first_word)] if first_word in text else ""
    wanted = list(prefix.strip())
    at = pos
    while at > 0:
        char = source[at - 1]
        if char in "*_~<" or (char == "[" and source[at - 2 : at - 1] != "^"):
            at -= 1
        elif wanted and char in _QUOTES.get(wanted[-1], wanted[-1]):
            wanted.pop()
            at -= 1
        else:
            break
    return at


def find_words(text: str, words: Sequence[str], start: int) -> int | None:
    """Where the first run of ``words`` at or after ``start`` begins: each a whole word of
    ``text`` (a run of letters and digits, ``WORD_RE``), one right after another, with only
    other characters between them.

    Only the places where the first word occurs are looked at, each by reading the words
    that follow it there with ``WORD_RE``: no pattern is compiled for a sentence (compiling
    one per sentence opening took a third of a cold check on real prose, where nearly every
    sentence opens differently), and no text is split into words beyond the places tried
    (splitting every file whole cost as much as the compiling it replaced)."""
    first = words[0]
    at = text.find(first, start)
    while at >= 0:
        if at == 0 or not text[at - 1].isalnum():  # [^\W_] is str.isalnum
            word = WORD_RE.match(text, at)
            if word is not None and word.group() == first and _words_follow(text, words, word):
                return at
        at = text.find(first, at + 1)
    return None


def _words_follow(text: str, words: Sequence[str], word: re.Match[str]) -> bool:
    """Whether ``words[1:]`` are the words that follow ``word`` in ``text``."""
    for wanted in words[1:]:
        following = WORD_RE.search(text, word.end())
        if following is None or following.group() != wanted:
            return False
        word = following
    return True


def first_words(text: str, n: int = 3) -> list[str]:
    return [m.group() for m in islice(WORD_RE.finditer(text), n)]


# --------------------------------------------------------------------------- skeletons


def _skeletons(source: str, code: list[tuple[int, int]]) -> tuple[str, str, list[tuple[int, int]]]:
    """The skeleton outside footnotes, the skeleton for footnotes, and each footnote
    reference with where its text starts, in source order."""
    hidden = list(code)  # code, comments, reference definitions: no prose pandoc reads
    hidden += [m.span() for m in _COMMENT_RE.finditer(source)]
    if "]:" in source:
        hidden += [m.span() for m in _REFERENCE_DEFINITION_RE.finditer(source)]
    base = blanked(source, hidden)
    notes, inline = _notes(base)
    markup = _markup(base)
    main = blanked(base, markup + [(start, end + 1) for start, end in inline])
    delimiters = [(start, start + 2) for start, _ in inline] + [(e, e + 1) for _, e in inline]
    in_note = blanked(base, markup + delimiters)
    return main, in_note, sorted(notes)


def _notes(base: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Each footnote reference (``[^1]``, ``^[...]``) with where its text starts, and the
    span of each inline note (``^[`` to its closing ``]``)."""
    definitions: dict[str, int] = {}
    for m in _FOOTNOTE_DEFINITION_RE.finditer(base):
        definitions.setdefault(m.group(1), m.end())
    notes = [
        (m.start(), definitions[m.group(1)])
        for m in _FOOTNOTE_REFERENCE_RE.finditer(base)
        if m.group(1) in definitions
    ]
    closing = _matching_brackets(base) if "^[" in base else {}
    inline = []
    for m in _INLINE_NOTE_RE.finditer(base):
        end = closing.get(m.end() - 1)
        if end is not None:
            inline.append((m.start(), end))
            notes.append((m.start(), m.end()))
    return notes, inline


def _markup(base: str) -> list[tuple[int, int]]:
    """The spans of markup that is no prose: citations in brackets, author locators, link
    targets, footnote marks, fence lines and attributes."""
    markup = []
    for m in _BRACKETS_RE.finditer(base):
        after = base[m.end() : m.end() + 1]
        if (
            after not in ("(", "{", "[")
            and not (m.start() > 0 and base[m.start() - 1] == "^")
            and _CITATION_CONTENT_RE.search(base, m.start() + 1, m.end() - 1)
        ):
            markup.append(m.span())
    markup += [m.span(1) for m in _AUTHOR_LOCATOR_RE.finditer(base)]
    for regex in (_LINK_TARGET_RE, _FOOTNOTE_MARK_RE, _FENCE_LINE_RE):
        markup += [m.span() for m in regex.finditer(base)]
    markup += [m.span() for m in _BRACES_RE.finditer(base) if _is_attributes(base, m)]
    return markup


def _is_attributes(text: str, m: re.Match[str]) -> bool:
    """Whether braces hold attributes (``]{.mark}``, ``{#id}``, ``{=html}``, ``{width=5in}``)
    rather than text (``{{variable}}``)."""
    inside = m.group()[1:-1].strip()
    return text[m.start() - 1 : m.start()] in ("]", "`") or inside[:1] in "#.=" or "=" in inside


def blanked(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` with every character in the ranges but line breaks made a space."""
    if not ranges:
        return text
    pieces = []
    pos = 0
    for start, end in sorted(ranges):
        if end <= pos:
            continue
        start = max(start, pos)
        pieces.append(text[pos:start])
        pieces.append(_NOT_NEWLINE_RE.sub(" ", text[start:end]))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


_BACKTICKS_RE = re.compile(r"`+")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def code_spans(text: str) -> list[tuple[int, int]]:
    """Where inline code lies, by pandoc's rule: a run of n backticks opens a code span
    that the next run of exactly n backticks in the same paragraph closes (a run after a
    backslash opens none). Linear in the number of runs, however many stay unclosed."""
    if "`" not in text:
        return []
    runs = [m.span() for m in _BACKTICKS_RE.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for i, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(i)
    blanks = [m.start() for m in _BLANK_LINE_RE.finditer(text)]
    spans = []
    i = 0
    while i < len(runs):
        start, end = runs[i]
        same = by_length[end - start]
        later = bisect_right(same, i)
        if text[start - 1 : start] != "\\" and later < len(same):
            close = runs[same[later]]
            blank = bisect_right(blanks, end - 1)
            if blank == len(blanks) or blanks[blank] >= close[0]:
                spans.append((start, close[1]))
                i = same[later] + 1
                continue
        i += 1
    return spans


def _matching_brackets(text: str) -> dict[int, int]:
    """The offset of each ``[``'s closing ``]`` (backslash escapes skipped), in one pass."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACKET_OR_ESCAPE_RE.finditer(text):
        char = m.group()
        if char == "[":
            stack.append(m.start())
        elif char == "]" and stack:
            pairs[stack.pop()] = m.start()
    return pairs
