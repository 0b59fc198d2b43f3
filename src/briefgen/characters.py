"""Characters that are not what they look like, named so a reader can find them.

An invisible format character (Unicode category Cf: U+200B ZERO WIDTH SPACE, U+00AD SOFT
HYPHEN, U+2060 WORD JOINER ...) ends a pandoc citation key: ``[@ow<U+200B>en2023]`` cites
``ow`` and takes the rest for a locator. A letter of another script (U+043E CYRILLIC SMALL
LETTER O) makes a key that looks exactly like one in the bibliography. Both read as nonsense
until the character is named, which this module does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from briefgen.findings import Finding, closest
from briefgen.scan.locate import Locator

# Besides letters, digits and '_', pandoc lets a citation key hold these (bibliography.py's
# _CITED): an invisible character among them is inside or right after a key.
_KEY_PUNCTUATION = ":.#$%&-+?<>~/"
MAX_LISTED = 100  # invisible characters listed one by one, per rule and file
_KEY_SHOWN = 80  # characters of a key looked at on either side of an invisible one
# Joiners, direction marks and emoji tags belong in some scripts and emoji sequences (Persian
# ZWNJ, a family emoji's ZWJ, a subdivision flag's tags): next to a non-ASCII character they
# are not reported in prose. In a citation key, nothing is excused.
_SCRIPT_FORMAT = frozenset("\u200c\u200d\u200e\u200f\u061c") | frozenset(
    map(chr, range(0xE0020, 0xE0080))
)


# Where Unicode puts its format characters (a superset of category Cf, each match confirmed by
# its category): one regex search finds them in C, where testing each character of a
# non-ASCII file in Python would cost 0.3 s a megabyte. tests/test_invisible.py checks that
# the running Python's Cf characters all lie in it.
_FORMAT_BLOCKS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
_FORMAT_BLOCKS_RE = re.compile(f"[{_FORMAT_BLOCKS}]")
_KEY_RUN_RE = re.compile(rf"[\w{re.escape(_KEY_PUNCTUATION)}{_FORMAT_BLOCKS}]*")


def describe(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: the code point and, where Unicode gives one, its name."""
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()


def invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def _key_char(char: str) -> bool:
    return char.isalnum() or char == "_" or char in _KEY_PUNCTUATION


def invisible_findings(rel: str, source: str) -> tuple[list[Finding], set[tuple[int, int]]]:
    """Every invisible character in a section's source (front matter included), and the
    line:column of each citation's '@' that one of them breaks.

    Inside or right after a citation key it is an ``invisible-character`` error (pandoc cuts
    the key there); anywhere else an ``invisible-text`` warning. A citation it breaks gets
    no ``unknown-key`` finding on top (one finding per problem). Past
    ``MAX_LISTED`` of a rule in one file, one finding counts the rest.
    """
    findings: list[Finding] = []
    broken: set[tuple[int, int]] = set()
    if source.isascii():
        return findings, broken
    locator: Locator | None = None
    unlisted: dict[str, list[int]] = {"invisible-character": [], "invisible-text": []}
    listed = dict.fromkeys(unlisted, 0)
    # Walking back from each invisible character to the '@' of its key stops at the
    # previous invisible character and reuses its answer, so a file stays one pass.
    previous, previous_at = -1, None
    for match in _FORMAT_BLOCKS_RE.finditer(source):
        i, char = match.start(), match.group()
        if not invisible(char):
            continue
        locator = locator or Locator(source)
        at = _key_at(source, i, previous, previous_at)
        previous, previous_at = i, at
        if at is not None:
            broken.add(locator.position(at))
            rule = "invisible-character"
        elif _excused(source, i):
            continue
        else:
            rule = "invisible-text"
        if listed[rule] == MAX_LISTED:
            unlisted[rule].append(i)
            continue
        listed[rule] += 1
        line, column = locator.position(i)
        if at is not None:
            findings.append(_in_key(rel, line, column, source, at, i))
        else:
            findings.append(_in_text(rel, line, column, char))
    if locator is not None:
        findings.extend(_unlisted(rel, locator, unlisted))
    return findings, broken


def _key_at(source: str, i: int, previous: int, previous_at: int | None) -> int | None:
    """The '@' of the citation key that the invisible character at ``i`` stands in or right
    after, if any; ``previous`` (with its answer) is the invisible character before it."""
    j = i
    while j > 0 and j - 1 != previous and _key_char(source[j - 1]):
        j -= 1
    return previous_at if j > 0 and j - 1 == previous else _citation_at(source, j)


def _in_text(rel: str, line: int, column: int, char: str) -> Finding:
    return Finding(
        rel,
        line,
        column,
        "invisible-text",
        f"invisible character {describe(char)}: delete it, or write it as "
        f"&#x{ord(char):X}; where it is meant",
        char,
    )


def _unlisted(rel: str, locator: Locator, unlisted: dict[str, list[int]]) -> list[Finding]:
    """One finding for each rule's characters past MAX_LISTED, at the first of them."""
    findings: list[Finding] = []
    for rule, offsets in unlisted.items():
        if offsets:
            line, column = locator.position(offsets[0])
            what = "invisible characters"
            if rule == "invisible-character":
                what += " in or right after citation keys"
            findings.append(
                Finding(
                    rel, line, column, rule, f"{len(offsets)} more {what} from here on: delete them"
                )
            )
    return findings


def _citation_at(source: str, start: int) -> int | None:
    """Offset of the '@' opening a citation key that begins at ``start``, if one does."""
    if start > 1 and source[start - 1] == "{" and source[start - 2] == "@":
        start -= 1  # @{key}
    if start == 0 or source[start - 1] != "@":
        return None
    at = start - 1
    if at > 0 and (source[at - 1].isalnum() or source[at - 1] == "_"):
        return None  # an e-mail address, not a citation
    return at


def _in_key(rel: str, line: int, column: int, source: str, at: int, i: int) -> Finding:
    """The finding for the invisible character at ``i``, in or after the key opened at
    ``at``. Each look is bounded (no key is that long), so that a file of nothing but
    invisible characters still takes one pass."""
    start = max(at, i - _KEY_SHOWN)
    before = ("" if start == at else "@…") + _FORMAT_BLOCKS_RE.sub("", source[start:i])
    run = _KEY_RUN_RE.match(source, i + 1, min(len(source), i + _KEY_SHOWN))
    end = run.end() if run else i + 1
    rest = _FORMAT_BLOCKS_RE.sub("", source[i + 1 : end])
    if rest[:1].isalnum() or rest[:1] == "_":
        where = f"inside citation key '{before}…'"
    else:
        where = f"right after citation key '{before.rstrip(_KEY_PUNCTUATION)}'"
    return Finding(
        rel,
        line,
        column,
        "invisible-character",
        f"{describe(source[i])} {where}: delete it",
        source[start:end].rstrip(_KEY_PUNCTUATION),
    )


def _excused(source: str, i: int) -> bool:
    if source[i] not in _SCRIPT_FORMAT:
        return False
    neighbours = source[max(0, i - 1) : i] + source[i + 1 : i + 2]
    return not neighbours.isascii()


def key_characters(key: str, known: Iterable[str]) -> str:
    """For an unknown key holding characters outside ASCII: `` (it contains U+043E CYRILLIC
    SMALL LETTER O, not the Latin 'o'; did you mean 'owen2023'?)``. Empty for an ASCII key
    (its message stays the plain "did you mean")."""
    if key.isascii():
        return ""
    known = tuple(known)
    visible = "".join(c for c in key if not invisible(c))
    look_alike = visible if visible in known else _look_alike(visible, known)
    match = look_alike or closest(visible, known)
    named = _stands_for(key, visible, look_alike)
    parts = [
        f"{describe(char)}, not the Latin '{latin}'" if latin else describe(char)
        for char, latin in named.items()
    ]
    hint = f"; did you mean '{match}'?" if match else ""
    return f" (it contains {', and '.join(parts)}{hint})"


def _stands_for(key: str, visible: str, look_alike: str | None) -> dict[str, str]:
    """Each character of ``key`` outside ASCII -> the Latin letter it stands for in
    ``look_alike`` ('' if none, and for the invisible ones)."""
    named: dict[str, str] = {}
    for position, char in enumerate(visible):
        if not char.isascii() and char not in named:
            latin = look_alike[position] if look_alike else ""
            named[char] = latin if latin.isascii() else ""
    for char in key:
        if invisible(char) and char not in named:
            named[char] = ""
    return named


def _look_alike(key: str, known: Iterable[str]) -> str | None:
    """The known key that ``key`` spells with other scripts' letters in some places: the
    same length, and the same character wherever ``key`` has an ASCII one."""
    candidates = sorted(
        k
        for k in known
        if len(k) == len(key)
        and k.isascii()
        and all(a == b or not a.isascii() for a, b in zip(key, k, strict=True))
    )
    return candidates[0] if candidates else None
