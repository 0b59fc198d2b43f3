"""BibTeX field text as pandoc's LaTeX reader sees it, character by character: which
characters stand in braces (protected from case changes), which come from a command
(``\\'E`` is one letter, ``\\emph{...}`` text like any other), and what no output prints
(math, a command pandoc keeps as raw LaTeX). rules.titlecase cases titles from it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

# LaTeX accents -> the combining character they add (pandoc composes them)
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "d": "\u0323",
    "b": "\u0331",
    "r": "\u030a",
    "k": "\u0328",
}
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
# pandoc transforms the argument of these like the text around it (Emph, Strong, Link ...)
_TRANSPARENT = frozenset(
    [
        "emph",
        "textit",
        "textbf",
        "textsl",
        "textmd",
        "textup",
        "textrm",
        "textsf",
        "textnormal",
        "underline",
        "url",
    ]
)
# ... and leaves the argument of these as it is (SmallCaps, Superscript, Subscript)
_PROTECTED = frozenset(["textsc", "textsuperscript", "textsubscript"])
# what pandoc's LaTeX reader (with smart quotes) makes of these characters
_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"))
_CHARACTERS = {"~": "\xa0", "`": "\u2018", "'": "\u2019"}
# a run of characters that stand for themselves (any white space for a space)
_PLAIN = re.compile(r"[^\\${}~`'-]+")
_SPACE = re.compile(r"\s")


class Text(NamedTuple):
    """Characters read: a run of plain text, or what one command or ligature makes."""

    text: str
    start: int  # the source it was read from: title[start:end] (one for one in a run)
    end: int
    group: int  # the outermost brace group it stands in, or -1


@dataclass(frozen=True)
class Break:
    """Math, a command pandoc does not render, a quotation mark: ends a word, no state."""

    text: str = ""  # math, printed as written


@dataclass(frozen=True)
class GroupEnd:
    group: int


Piece = Text | Break | GroupEnd


def pieces(title: str) -> list[Piece]:
    """The title as pandoc's LaTeX reader sees it, character by character."""
    reader = _Reader(title)
    reader.read()
    return reader.pieces


class _Reader:
    def __init__(self, title: str) -> None:
        self.title = title
        self.pieces: list[Piece] = []
        self.frames: list[str] = []  # open braces: "group" (protects) or "arg" (does not)
        self.group = -1  # the outermost open protecting group, or -1
        self.groups = 0
        self.group_chars = 0  # characters in the open group

    def char(self, c: str, start: int, end: int) -> None:
        self.pieces.append(Text(c, start, end, self.group))
        self.group_chars += self.group != -1

    def open(self, kind: str) -> None:
        if kind == "group" and self.group == -1:
            self.group = self.groups
            self.groups += 1
            self.group_chars = 0
        self.frames.append(kind)

    def close(self) -> None:
        if not self.frames:
            return  # a stray '}' is dropped, as pandoc drops it
        if self.frames.pop() == "arg":
            self.pieces.append(Break())
        elif self.group != -1 and "group" not in self.frames:
            self.end_group()

    def end_group(self) -> None:
        if self.group_chars:  # pandoc drops an empty group ({}) altogether
            self.pieces.append(GroupEnd(self.group))
        self.group = -1

    def read(self) -> None:
        title, n, i = self.title, len(self.title), 0
        while i < n:
            c = title[i]
            if c == "\\":
                i = self.command(i)
            elif c == "$":
                end = _skip_math(title, i)
                self.pieces.append(Break(title[i:end]))
                i = end
            elif c == "{" or c == "}":
                self.open("group") if c == "{" else self.close()
                i += 1
            elif plain := _PLAIN.match(title, i):
                self.char(_SPACE.sub(" ", plain.group()), i, plain.end())
                i = plain.end()
            else:
                i = self.text(i)
        if self.group != -1:  # a brace never closed: what follows it stays as written
            self.end_group()

    def text(self, i: int) -> int:
        """Read the character (or ligature: -- ---  `` '') at title[i]."""
        title = self.title
        for ligature, char in _LIGATURES:
            if title.startswith(ligature, i):
                if char in "\u201c\u201d":  # quotation marks: no character of a word
                    self.pieces.append(Break(char))
                else:
                    self.char(char, i, i + len(ligature))
                return i + len(ligature)
        c = title[i]
        self.char(" " if c.isspace() else _CHARACTERS.get(c, c), i, i + 1)
        return i + 1

    def command(self, i: int) -> int:
        """Read the command at title[i] (a backslash); return the index after it."""
        title, n = self.title, len(self.title)
        if i + 1 >= n:
            return n
        nxt = title[i + 1]
        if not nxt.isalpha():
            return self.symbol(i)
        j = i + 1
        while j < n and title[j].isascii() and title[j].isalpha():
            j += 1
        name = title[i + 1 : j]
        after = _skip_spaces(title, j)
        if name in _ACCENTS:
            return self.accent(i, after, _ACCENTS[name])
        if name in _LETTERS:
            self.char(_LETTERS[name], i, j)
            return after + 2 if title.startswith("{}", after) else after
        if title.startswith("{", after) and (name in _TRANSPARENT or name in _PROTECTED):
            self.pieces.append(Break())
            self.open("arg" if name in _TRANSPARENT else "group")
            return after + 1
        # anything else pandoc keeps as raw LaTeX, which no output prints: skip its arguments
        self.pieces.append(Break())
        while after < n and title[after] in "{[":
            after = _matching(title, after)
        return after

    def symbol(self, i: int) -> int:
        """A backslash and one character that is not a letter: an accent (\\'E), math
        (\\( \\[), a line break (\\\\) or an escaped character (\\& \\% \\{ ...)."""
        title = self.title
        nxt = title[i + 1]
        if nxt in _ACCENTS:
            return self.accent(i, i + 2, _ACCENTS[nxt])
        if nxt in "([":
            end = title.find("\\" + (")" if nxt == "(" else "]"), i + 2)
            self.pieces.append(Break())
            return len(title) if end < 0 else end + 2
        self.char(" " if nxt in " ,;\\" else nxt, i, i + 2)
        return i + 2

    def accent(self, i: int, k: int, mark: str) -> int:
        """An accent command from title[i]; its letter starts at k (maybe braced)."""
        title, n = self.title, len(self.title)
        if k >= n:
            return n
        if title[k] == "{":
            close = title.find("}", k)
            if close < 0:
                return n
            base, end = title[k + 1 : close], close + 1
        else:
            base, end = title[k], k + 1
        for c in unicodedata.normalize("NFC", base[:1] + mark) + base[1:] if base else "":
            self.char(c, i, end)  # a mark with no precomposed letter stays a character
        return end


def _skip_spaces(title: str, i: int) -> int:
    while i < len(title) and title[i] in " \t\n":
        i += 1
    return i


def _matching(title: str, i: int) -> int:
    """The index after the brace or bracket group opening at title[i] (the end of the title
    when it never closes)."""
    close = "}" if title[i] == "{" else "]"
    depth = 0
    j = i
    while j < len(title):
        c = title[j]
        if c == "\\":
            j += 2
            continue
        if c == title[i]:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return len(title)


def _skip_math(title: str, i: int) -> int:
    delimiter = "$$" if title.startswith("$$", i) else "$"
    end = title.find(delimiter, i + len(delimiter))
    return len(title) if end < 0 else end + len(delimiter)
