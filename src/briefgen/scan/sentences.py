"""Where one sentence of prose ends and the next begins: the one place boundaries are decided.

The boundaries serve the claim rule, not a generic NLP score. A merged claim lets an uncited
sentence pass beside a cited one, so a full stop suppresses a boundary only after an
abbreviation on the curated lists below (legal, policy, academic and citation
abbreviations, initials, and ``No.``/``Art.``/``p.`` before a number), never because a word
appears in a list learned from a corpus. Where a boundary stays ambiguous (``in the U.S.
Providers ...``), the text is split and the boundary is marked as a doubt: the walker joins
the two sides again when neither is cited, and reports the doubt when only one side is
(see :func:`settle`). A non-breaking space (pandoc's ``\\ ``) after an abbreviation is never a
boundary, which is how a writer keeps one sentence.

Text is the flattened inline text of one paragraph (see ``inlines.Flat``): pandoc has
already turned ``...`` into ``…``, straight quotes into curly ones, and ``\\ `` into U+00A0.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import NamedTuple

#: Abbreviations that never end a sentence in our writing: titles before a name, Latin
#: connectives, "approx."; no boundary after them whatever follows.
CONTINUING = frozenset(
    [
        "Mr",
        "Mrs",
        "Ms",
        "Mx",
        "Dr",
        "Prof",
        "Hon",
        "Rev",
        "Gen",
        "Capt",
        "Lt",
        "Sgt",
        "Sen",
        "Rep",
        "Gov",
        "Pres",
        "Amb",
        "Mt",
        "St",
        "Messrs",
        "Mme",
        "Mlle",
        "Cllr",
        "Supt",
        "Insp",
        "Det",
        "Cmdr",
        "Adm",
        "Maj",
        "Brig",
        "Fr",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "cf",
        "viz",
        "vs",
        "v",
        "approx",
        "appr",
        "ca",
        "incl",
        "esp",
        "resp",
        "w.r.t",
        "n.b",
        "N.B",
        "nb",
        "Pub",
        "Cong",
        "Supp",
        "Stat",
        "op",
        "loc",
    ]
)

#: Abbreviations that stand before a number (``Art. 16``, ``p. 4``, ``No. 5``, ``Jan. 2026``,
#: ``Pt. II``, ``§``): no boundary before a digit, a roman numeral, ``§`` or a lowercase word;
#: a doubt before a capitalised word (``... under No. Then`` is rare but possible).
BEFORE_NUMBER = frozenset(
    [
        "Art",
        "Arts",
        "art",
        "arts",
        "No",
        "Nos",
        "no",
        "nos",
        "Nr",
        "nr",
        "p",
        "pp",
        "para",
        "paras",
        "Para",
        "Paras",
        "s",
        "ss",
        "S",
        "Ss",
        "Pt",
        "Pts",
        "pt",
        "pts",
        "Ch",
        "Chs",
        "ch",
        "chs",
        "chap",
        "Chap",
        "vol",
        "vols",
        "Vol",
        "Vols",
        "fn",
        "fns",
        "Fn",
        "n",
        "nn",
        "r",
        "rr",
        "reg",
        "regs",
        "Reg",
        "Regs",
        "sec",
        "secs",
        "Sec",
        "Secs",
        "fig",
        "figs",
        "Fig",
        "Figs",
        "eq",
        "eqs",
        "Eq",
        "Eqs",
        "cl",
        "Cl",
        "cls",
        "Sch",
        "Sched",
        "sch",
        "sched",
        "col",
        "cols",
        "Col",
        "l",
        "ll",
        "ed",
        "eds",
        "Ed",
        "Rec",
        "Recs",
        "rec",
        "recs",
        "Doc",
        "doc",
        "Dir",
        "Ann",
        "Annex",
        "Tab",
        "tab",
        "ibid",
        "Ibid",
        "Cir",
        "Cal",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "c",
        "est",
        "Est",
        "tel",
        "Tel",
    ]
)

#: Abbreviations that may end a sentence as well as stand inside one: no boundary before a
#: lowercase word, a doubt otherwise. Acronyms written with full stops (``U.S.``, ``C.S.A.M.``)
#: and single initials (``J.``) are in this class too, by their shape.
FINAL_OR_NOT = frozenset(
    [
        "etc",
        "al",
        "Inc",
        "Ltd",
        "Co",
        "Corp",
        "Jr",
        "Sr",
        "Bros",
        "a.m",
        "p.m",
        "Ph.D",
        "PhD",
        "Esq",
        "plc",
        "Plc",
        "Dept",
        "Govt",
        "Univ",
        "Assn",
    ]
)

_ROMAN_RE = re.compile(r"[IVXLC]+\b")
_ACRONYM_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # U.S, C.S.A.M, U.S.C (final stop apart)
_INITIAL_RE = re.compile(r"[A-Z]")
# a terminator run, closing quotes or brackets, then the space before the next sentence;
# U+00A0 (pandoc's ``\ ``) is not among the spaces, so it never ends a sentence
_CANDIDATE_RE = re.compile(r"([.?!…]+)([\"'”’»)\]]*)([ \t\n\r]+)")
# a terminator with no space at all before a capitalised word: "rule.The next"
_GLUED_RE = re.compile(r"(?<=[a-z\d)])([.?!]+)([\"'”’»)\]]*)(?=[A-Z][a-z])")
_TERMINATOR_RE = re.compile(r"[.?!…]")
_OPENERS = "([{\"'“‘«¿¡—–-*_"
_TOKEN_STOP = " \t\n\r\xa0([{\"'“‘«—–/"


class Span(NamedTuple):
    start: int
    end: int  # trailing whitespace included
    doubt: str  # the abbreviation at an ambiguous boundary at the end of this span, or ""


def split_sentences(text: str, anchors: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Sentence spans of plain text (trailing whitespace included)."""
    return [(s.start, s.end) for s in sentence_spans(text, anchors)]


def sentence_spans(
    text: str, anchors: Sequence[int] = (), breaks: Sequence[int] = ()
) -> list[Span]:
    """The sentences of ``text``, each with the doubt at its end (see :func:`boundary`).

    ``anchors`` are offsets of citations and footnotes in the text, in order: one standing between a
    full stop and the next word proves the boundary (``in the U.S. [@key] Providers``).
    ``breaks`` are offsets where the source had a line break: a colon that ends a line
    before a capitalised word ends a sentence (``... is continuous:`` / ``When ...``).
    """
    if not text.strip():
        return []
    body = text.rstrip()
    if not breaks and not _TERMINATOR_RE.search(body, 0, len(body) - 1):
        return [Span(0, len(text), "")]  # no full stop, ? or ! before the last character
    anchors = sorted(anchors)
    cuts: list[tuple[int, str]] = []  # (where the next sentence starts, doubt)
    for match in _CANDIDATE_RE.finditer(text):
        nxt = match.end()
        if nxt >= len(text):
            break
        verdict = boundary(text, match.start(), match.group(1), match.end(2), nxt, anchors)
        if verdict is not None:
            cuts.append((nxt, verdict))
    cuts += _glued_cuts(text)
    cuts += _colon_cuts(text, breaks)
    cuts.sort()
    spans: list[Span] = []
    start = 0
    for cut, doubt in cuts:
        if cut > start:
            spans.append(Span(start, cut, doubt))
            start = cut
    spans.append(Span(start, len(text), ""))
    return spans


def _glued_cuts(text: str) -> list[tuple[int, str]]:
    """Doubtful boundaries where a full stop touches the next word (``end.Next``)."""
    cuts: list[tuple[int, str]] = []
    for match in _GLUED_RE.finditer(text):
        token = _token_before(text, match.start())
        if not _known(token) and not _ACRONYM_RE.fullmatch(token + "."):
            cuts.append((match.end(), f"{token}{match.group(1)}"))
    return cuts


def _colon_cuts(text: str, breaks: Sequence[int]) -> list[tuple[int, str]]:
    """Sure boundaries after a colon that ends a line before a capitalised word or a digit."""
    cuts: list[tuple[int, str]] = []
    for at in breaks:
        if at > 0 and text[at - 1] == ":":
            nxt = at
            while nxt < len(text) and text[nxt] in " \t\n":
                nxt += 1
            if nxt < len(text) and (text[nxt].isupper() or text[nxt].isdigit()):
                cuts.append((nxt, ""))
    return cuts


def boundary(
    text: str, stop: int, terminator: str, closed: int, nxt: int, anchors: Sequence[int]
) -> str | None:
    """The one rule for a boundary after ``text[stop:closed]`` (a terminator run and any
    closing quotes or brackets), the next sentence starting at ``nxt``.

    Returns None for no boundary, "" for a sure one, or the abbreviation that makes it
    ambiguous (a doubt).
    """
    first = _first_alnum(text, nxt)
    lower = first is not None and text[first].islower()
    between = bisect_left(anchors, closed)
    # a citation or footnote stands between; or ? ! … and runs of stops; or no word before
    cited = between < len(anchors) and anchors[between] <= nxt
    token = _token_before(text, stop) if terminator == "." and not cited else ""
    if not token:
        return None if lower else ""
    following = text[first:] if first is not None else ""
    if token in CONTINUING or token.lower() in ("e.g", "i.e"):
        return None
    if token in BEFORE_NUMBER:  # "No. 5", "p. 12", "Art. IV"
        return _before_number(text, token, nxt, following, lower)
    return _after_word(text, token, nxt, following, lower)


def _after_word(text: str, token: str, nxt: int, following: str, lower: bool) -> str | None:
    """After any other word: an abbreviation that may end a sentence or not, initials, or
    an ordinary word."""
    initials = bool(_ACRONYM_RE.fullmatch(token) or _INITIAL_RE.fullmatch(token))
    if token in FINAL_OR_NOT or initials:
        if lower or text[nxt] == "§":
            return None
        # initials run on: "J. K. Rowling", "Pub. L. No. 115"
        return None if initials and _initial_follows(following) else f"{token}."
    if lower:
        # an ordinary word, a full stop, then a lowercase word: an abbreviation we do not
        # know ("Govt. policy") or two sentences, one miswritten
        return f"{token}."
    return ""


def _before_number(text: str, token: str, nxt: int, following: str, lower: bool) -> str | None:
    """After an abbreviation that stands before a number: no boundary before a number, a
    section sign, a Roman numeral or a lowercase word; a doubt before any other word."""
    if not following or lower or text[nxt] == "§" or following[:1].isdigit():
        return None
    return None if _ROMAN_RE.match(following) else f"{token}."


def _initial_follows(following: str) -> bool:
    """Whether the next word is an initial or an abbreviation before a number, with its
    full stop."""
    word = re.match(r"[A-Za-z.]+", following)
    if not word or not word.group().endswith("."):
        return False
    bare = word.group().rstrip(".")
    return bool(_INITIAL_RE.fullmatch(bare)) or bare in BEFORE_NUMBER


def settle(spans: Sequence[Span], cited: Sequence[bool]) -> list[tuple[int, int, str]]:
    """Resolve the doubts, given whether each span is cited: two sides of a doubt that are
    both uncited are one sentence (one finding, not two); when both are cited either
    reading passes; when only one is, the doubt is kept on the uncited side for the
    checker to report. Returns (start, end, doubt) for each sentence."""
    out: list[tuple[int, int, str]] = []
    out_cited: list[bool] = []
    pending = ""  # the doubt at the end of the previous span
    for span, is_cited in zip(spans, cited, strict=True):
        if pending and out and not out_cited[-1] and not is_cited:
            start, _, doubt = out[-1]
            out[-1] = (start, span.end, doubt)
        else:
            if pending and out and out_cited[-1] != is_cited:
                if is_cited:
                    start, end, _ = out[-1]
                    out[-1] = (start, end, pending)
                    out.append((span.start, span.end, ""))
                else:
                    out.append((span.start, span.end, pending))
            else:
                out.append((span.start, span.end, ""))
            out_cited.append(is_cited)
        pending = span.doubt
    return out


def _first_alnum(text: str, pos: int) -> int | None:
    """Offset of the first letter or digit from ``pos``, past opening punctuation."""
    while pos < len(text) and text[pos] in _OPENERS:
        pos += 1
    if pos < len(text) and (text[pos].isalnum() or text[pos] == "@"):
        return pos
    return None


def _token_before(text: str, stop: int) -> str:
    """The word ending at a full stop: letters, digits and inner full stops (``U.S``,
    ``e.g``, ``et al`` gives ``al``), without leading punctuation."""
    pos = stop
    while pos > 0 and text[pos - 1] not in _TOKEN_STOP:
        pos -= 1
    token = text[pos:stop]
    while token and not token[0].isalnum():
        token = token[1:]
    return token


def _known(token: str) -> bool:
    return token in CONTINUING or token in BEFORE_NUMBER or token in FINAL_OR_NOT
