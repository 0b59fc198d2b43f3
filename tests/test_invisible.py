"""Issue 14 item 8: characters that cannot be seen, or look like others, are named."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from briefgen.characters import MAX_LISTED, invisible_findings

SECTION = "briefs/sections/anonymity.md"


def with_text(root: Path, text: str, summary: str | None = None) -> Path:
    """The basic project with ``text`` added to the end of anonymity.md (from line 17), and
    its summary (line 4, from column 3) replaced."""
    path = root / SECTION
    source = path.read_text(encoding="utf-8")
    if summary is not None:
        old = "Hidden services on Tor hide where a site is hosted [@owen2015tor]."
        source = source.replace(old, summary)
    path.write_text(source + text, encoding="utf-8")
    return root


def lines(result: Result) -> list[str]:
    return result.stdout.splitlines()


def test_zero_width_space_in_a_key_is_named_at_its_position(
    project: Callable[[str], Path], run: Callable[..., Result]
) -> None:
    root = with_text(project("basic"), "A claim with a hidden break [@owen\u200b2015tor, p. 3].\n")
    result = run(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert lines(result)[1:] == [
        f"{SECTION}:17:35: error invisible-character: U+200B ZERO WIDTH SPACE inside citation "
        "key '@owen…': delete it",
        "",
        "2 sections, 7 claims (6 cited, 0 uncited): 1 error, 0 warnings",
    ]  # and no "unknown key 'owen'": one finding per problem


def test_cyrillic_look_alike_letter_is_named_in_the_unknown_key(
    project: Callable[[str], Path], run: Callable[..., Result]
) -> None:
    root = with_text(project("basic"), "A claim with a look-alike [@\u043ewen2015tor].\n")
    result = run(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        f"{SECTION}:17:28: error unknown-key: unknown citation key '\u043ewen2015tor' (it "
        "contains U+043E CYRILLIC SMALL LETTER O, not the Latin 'o'; did you mean "
        "'owen2015tor'?): add the entry to the bibliography or correct the key"
    ) in lines(result)


def test_several_look_alikes_and_a_non_latin_key_with_no_match(
    project: Callable[[str], Path], run: Callable[..., Result]
) -> None:
    root = with_text(
        project("basic"),
        "Greek letters [@\u03bf\u03c9en2015tor].\n\nA German key [@m\u00fcller1999].\n",
    )
    result = run(["check", "--project", str(root)])
    assert lines(result)[1:3] == [
        f"{SECTION}:17:16: error unknown-key: unknown citation key '\u03bf\u03c9en2015tor' (it "
        "contains U+03BF GREEK SMALL LETTER OMICRON, not the Latin 'o', and U+03C9 GREEK SMALL "
        "LETTER OMEGA, not the Latin 'w'; did you mean 'owen2015tor'?): add the entry to the "
        "bibliography or correct the key",
        f"{SECTION}:19:15: error unknown-key: unknown citation key 'm\u00fcller1999' (it "
        "contains U+00FC LATIN SMALL LETTER U WITH DIAERESIS): add the entry to the "
        "bibliography or correct the key",
    ]


def test_ascii_unknown_key_message_is_unchanged(
    project: Callable[[str], Path], run: Callable[..., Result]
) -> None:
    root = with_text(project("basic"), "A typo [@owen2015to].\n")
    assert (
        f"{SECTION}:17:9: error unknown-key: unknown citation key 'owen2015to' (did you mean "
        "'owen2015tor'?): add the entry to the bibliography or correct the key"
    ) in lines(run(["check", "--project", str(root)]))


def test_invisible_characters_around_keys_in_body_and_summary(
    project: Callable[[str], Path], run: Callable[..., Result]
) -> None:
    root = with_text(
        project("basic"),
        "Right after a key [@owen2015tor\u2060].\n\n"
        "Before the key @\u00adowen2015tor says so [@budapest2001].\n",
        summary="Hidden services hide where a site is hosted [@ow\ufeffen2015tor].",
    )
    result = run(["check", "--format", "json", "--project", str(root)])
    assert result.exit_code == 1
    found = [
        (f["line"], f["column"], f["rule"], f["severity"], f["message"], f["text"])
        for f in json.loads(result.stdout)["findings"]
    ]
    assert found == [
        (
            4,
            51,
            "invisible-character",
            "error",
            "U+FEFF ZERO WIDTH NO-BREAK SPACE inside citation key '@ow…': delete it",
            "@ow\ufeffen2015tor",
        ),
        (
            17,
            32,
            "invisible-character",
            "error",
            "U+2060 WORD JOINER right after citation key '@owen2015tor': delete it",
            "@owen2015tor\u2060",
        ),
        (
            19,
            17,
            "invisible-character",
            "error",
            "U+00AD SOFT HYPHEN inside citation key '@…': delete it",
            "@\u00adowen2015tor",
        ),
    ]


def test_invisible_characters_in_prose_are_warnings(
    project: Callable[[str], Path], run: Callable[..., Result]
) -> None:
    root = with_text(
        project("basic"),
        "A soft hy\u00adphen and mail to a@b\u200b.org [@owen2015tor].\n\n"
        # joiners beside other scripts and emoji are how those are written
        "Persian \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 and "
        "\U0001f469\u200d\U0001f4bb [@owen2015tor].\n",
    )
    result = run(["check", "--project", str(root)])
    assert result.exit_code == 0
    assert lines(result)[1:] == [
        f"{SECTION}:17:10: warning invisible-text: invisible character U+00AD SOFT HYPHEN: "
        "delete it, or write it as &#xAD; where it is meant",
        f"{SECTION}:17:31: warning invisible-text: invisible character U+200B ZERO WIDTH "
        "SPACE: delete it, or write it as &#x200B; where it is meant",
        "",
        "2 sections, 8 claims (8 cited, 0 uncited): 0 errors, 2 warnings",
    ]
    assert run(["check", "--strict", "--project", str(root)]).exit_code == 1


def test_a_flood_of_invisible_characters_is_counted_not_listed() -> None:
    source = "---\ntitle: T\n---\n\nA claim [@a" + "\u200b" * 1000 + "] and x" + "\u200b" * 500
    findings, broken = invisible_findings("s.md", source)
    assert broken == {(5, 10)}  # the '@'; the first invisible character is at 5:12
    assert len(findings) == 2 * MAX_LISTED + 2
    assert [(f.line, f.column, f.rule, f.message) for f in findings[-2:]] == [
        (
            5,
            12 + MAX_LISTED,
            "invisible-character",
            f"{1000 - MAX_LISTED} more invisible characters in or right after citation keys "
            "from here on: delete them",
        ),
        (
            5,
            12 + 1000 + len("] and x") + MAX_LISTED,
            "invisible-text",
            f"{500 - MAX_LISTED} more invisible characters from here on: delete them",
        ),
    ]


def test_a_braced_key_holding_one_is_named_twice(
    project: Callable[[str], Path], run: Callable[..., Result]
) -> None:
    """pandoc keeps an invisible character inside @{...}, so the key is unknown as well."""
    root = with_text(project("basic"), "Braced [@{budapest\u200d2001}].\n")
    result = run(["check", "--format", "json", "--project", str(root)])
    assert sorted(f["message"] for f in json.loads(result.stdout)["findings"]) == [
        "U+200D ZERO WIDTH JOINER inside citation key '@{budapest…': delete it",
        "unknown citation key 'budapest\u200d2001' (it contains U+200D ZERO WIDTH JOINER; "
        "did you mean 'budapest2001'?): add the entry to the bibliography or correct the key",
    ]


def test_every_format_character_of_this_python_is_found() -> None:
    """The module finds invisible characters with a regex over the blocks Unicode puts them
    in: every character of category Cf must lie in one."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) == "Cf":
            findings, _ = invisible_findings("s.md", f"a{char}a")
            assert [f.rule for f in findings] == ["invisible-text"], f"U+{code:04X}"
