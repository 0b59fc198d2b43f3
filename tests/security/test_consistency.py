"""Issue 15: content stays content. What passes the check is what the build reads: no
section reaches into another through pandoc's document-wide link definitions, no empty
list means "everyone", and no configuration, bibliography or date that the check lets
through fails the build (or crashes it) later."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import invoke

Copy = Callable[[str], Path]
ANONYMITY = "briefs/sections/anonymity.md"  # 16 lines in the basic project
COOPERATION = "briefs/sections/cooperation.md"  # 16 lines: appended text starts at 18
CANARY = "CANARY-7d2e not to be echoed"


def append(root: Path, rel: str, text: str) -> None:
    with (root / rel).open("a", encoding="utf-8") as handle:
        handle.write(text)


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def check_json(root: Path) -> tuple[int, list[tuple[str, int, int, str, str]]]:
    """The exit code and every finding (file, line, column, rule, message) of a check."""
    result = invoke(["check", "--project", str(root), "--format", "json"])
    doc = json.loads(result.stdout)
    found = [(f["file"], f["line"], f["column"], f["rule"], f["message"]) for f in doc["findings"]]
    return result.exit_code, found


# --------------------------------------------------------------------------- link definitions

USED = (
    "link label '[portal]' is used at briefs/sections/anonymity.md:18 without a definition "
    "there: in a brief, this definition would make that text a link the check never saw: "
    "define the link in each section that uses it, or write it inline"
)


def test_a_link_definition_in_one_section_cannot_make_a_link_in_another(project: Copy) -> None:
    root = project("basic")
    append(root, ANONYMITY, "\nSee the [portal] for the figures [@owen2015tor].\n")
    append(root, COOPERATION, "\n[portal]: https://evil.example\n")
    code, found = check_json(root)
    assert code == 1
    assert found == [(COOPERATION, 18, 1, "link-definition", USED)]

    # the build refuses it: the assembled brief would hold a link the check never saw
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert f"{COOPERATION}:18:1: error link-definition: {USED}" in result.stderr
    assert not (root / "build/note.html").exists()

    # defined where it is used, the build holds the link the check saw, and only that one
    replace(root, COOPERATION, "\n[portal]: https://evil.example\n", "")
    append(root, ANONYMITY, "\n[portal]: https://portal.example\n")
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0, result.output
    html = (root / "build/note.html").read_text(encoding="utf-8")
    assert 'href="https://portal.example"' in html
    assert "evil.example" not in html


def test_a_link_label_defined_in_two_sections_is_an_error(project: Copy) -> None:
    root = project("basic")
    # labels match as pandoc matches them: case and white space aside; a definition in a
    # block quote or a list item counts document-wide; one in code counts for nothing
    append(root, ANONYMITY, "\n> [Annual  Report]: https://a.example\n")
    append(root, COOPERATION, "\n- [annual report]:\n  https://b.example\n")
    append(
        root,
        COOPERATION,
        "\n```\n[portal]: https://code.example\n```\n\nThe `[portal]` page [@budapest2001].\n",
    )
    append(root, ANONYMITY, "\n[portal]: https://portal.example\n")
    code, found = check_json(root)
    assert code == 1
    assert found == [
        (
            COOPERATION,
            18,
            1,
            "link-definition",
            "link label '[annual report]' is also defined at briefs/sections/anonymity.md:18: "
            "the sections of a brief are one document, where one definition would replace the "
            "other: give the links different labels, or write them inline",
        )
    ]


def test_each_section_is_parsed_without_the_link_definitions_of_others(project: Copy) -> None:
    """The check parses many sections with one pandoc process: a definition in one must not
    resolve another's link there either, or the check would judge a link the build never
    makes (and cache that judgement with a file that does not hold it)."""
    from briefgen.check import check
    from briefgen.load import load_project

    root = project("basic")
    append(root, ANONYMITY, "\nThe [portal] [@owen2015tor].\n\n[portal]: javascript:alert(1)\n")
    append(root, COOPERATION, "\n[portal]: https://fine.example\n")
    result = check(load_project(root), jobs=1)  # one batch for both
    found = [(f.file, f.line, f.rule, f.message) for f in result.findings]
    assert found == [
        (  # the link its own text makes (read beside the other file, it took the other's)
            ANONYMITY,
            20,
            "raw-content",
            "link target 'javascript:alert(1)' is not allowed in sections: a link goes to an "
            "http, https or mailto address, or to a #section of the brief",
        ),
        (
            COOPERATION,
            18,
            "link-definition",
            "link label '[portal]' is also defined at briefs/sections/anonymity.md:20: the "
            "sections of a brief are one document, where one definition would replace the "
            "other: give the links different labels, or write them inline",
        ),
    ]


# --------------------------------------------------------------------------- empty audiences


@pytest.mark.parametrize("value", ["[]", '""'])
def test_an_empty_audiences_list_is_an_error_not_every_audience(project: Copy, value: str) -> None:
    root = project("basic")
    replace(root, ANONYMITY, "audiences: [all]", f"audiences: {value}")
    code, found = check_json(root)
    assert code == 1
    assert found == [
        (
            ANONYMITY,
            6,
            1,
            "front-matter",
            "an empty audiences list: leave the field out to show the section to every "
            "audience, or name the audiences",
        )
    ]


def test_an_audience_block_with_an_empty_only_is_an_error(project: Copy) -> None:
    # the build's filter shows a block with only="" to no audience at all; the check read
    # it as "every audience but those in except=": neither may pass in silence
    root = project("basic")
    append(
        root,
        COOPERATION,
        '\n::: {.audience only="" except="ministers"}\nShown to whom [@budapest2001].\n:::\n',
    )
    code, found = check_json(root)
    assert code == 1
    assert found == [
        (
            COOPERATION,
            18,
            1,
            "audience-block",
            'an empty only="": leave it out to show the block to every audience, or name the '
            "audiences",
        )
    ]


def test_an_audience_fence_pandoc_reads_as_text_is_an_error(project: Copy) -> None:
    # pandoc cannot read an attribute value that starts with a space: the fence and the
    # restricted text in it would reach every audience, unmarked
    root = project("basic")
    fence = '::: {.audience only=" investigators" marking="TLP:AMBER"}'
    append(root, COOPERATION, f"\n{fence}\nRestricted [@budapest2001].\n:::\n")
    code, found = check_json(root)
    assert code == 1
    assert found == [
        (
            COOPERATION,
            18,
            1,
            "markup",
            f"'{fence}' is read as text, not as a fence: pandoc cannot read its attributes: "
            'write them as {.class name="value"} (a value not starting with a space, no comma '
            "between them)",
        )
    ]


# --------------------------------------------------------------------------- CSL


def _set_csl(root: Path, name: str) -> None:
    replace(root, "briefgen.yaml", "csl: ieee", f"csl: {name}")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (f"{CANARY}\n", "is not XML (line 1): give a CSL style file"),
        (
            f"<html><body>{CANARY}</body></html>\n",
            'is not a CSL style (its root element must be <style xmlns="http://purl.org/net/'
            'xbiblio/csl">): give a CSL style file',
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0">&b;</style>\n',
            "declares a DOCTYPE or entities, which briefgen does not read: remove the declaration",
        ),
        (
            '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"><info><title>'
            f'{CANARY}</title><link href="http://www.zotero.org/styles/apa" '
            'rel="independent-parent"/></info></style>\n',
            "is a dependent style, which only names its parent style on the web: give the "
            "parent style itself",
        ),
        (
            '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"><info/></style>\n',
            "has no <citation> element: give a complete CSL style",
        ),
    ],
)
def test_a_csl_file_that_is_not_a_csl_style_is_refused_at_its_line(
    project: Copy, content: str, problem: str
) -> None:
    root = project("basic")
    (root / "styles").mkdir()
    (root / "styles/house.csl").write_text(content, encoding="utf-8")
    _set_csl(root, "styles/house.csl")
    for command in (["check"], ["build", "note", "--to", "html"]):
        result = invoke([*command, "--project", str(root)])
        assert result.exit_code == 2
        where = "briefgen.yaml:4: CSL file 'styles/house.csl'"
        assert result.stderr == f"briefgen: {where} {problem}\n"
        assert CANARY not in result.output


NOT_UTF8 = "not UTF-8 text (byte 0xe9 at line 2); save the file as UTF-8"


def test_every_file_that_is_not_utf8_gets_the_same_words_at_its_line(
    project: Copy, tmp_path: Path
) -> None:
    """A bibliography, a CSL style, a draft to import: one wording, naming the byte."""
    root = project("basic")
    bib = (root / "references.bib").read_bytes()
    (root / "references.bib").write_bytes(b"% notes\n% caf\xe9\n" + bib)
    result = invoke(["check", "--project", str(root)])
    assert (result.exit_code, result.stderr) == (2, f"briefgen: references.bib:2: {NOT_UTF8}\n")
    (root / "references.bib").write_bytes(bib)

    draft = tmp_path / "draft.md"
    draft.write_bytes(b"# Title\nCaf\xe9 [1].\n")
    result = invoke(["import", str(draft), "--project", str(root)])
    assert (result.exit_code, result.stderr) == (2, f"briefgen: {draft}:2: {NOT_UTF8}\n")

    (root / "house.csl").write_bytes(b"<?xml version='1.0'?>\n<style>caf\xe9</style>\n")
    _set_csl(root, "house.csl")
    result = invoke(["check", "--project", str(root)])
    assert (result.exit_code, result.stderr) == (
        2,
        f"briefgen: briefgen.yaml:4: CSL file 'house.csl' is {NOT_UTF8}\n",
    )


def test_a_huge_csl_file_is_refused_before_it_is_read(project: Copy) -> None:
    root = project("basic")
    with open(root / "house.csl", "wb") as handle:
        handle.truncate(3 * 2**30)  # 3 GB of nothing: refused by its size
    _set_csl(root, "house.csl")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr == (
        "briefgen: briefgen.yaml:4: CSL file 'house.csl' is 3072.0 MB, over the 2 MB a CSL "
        "style may hold: give a CSL style file\n"
    )


def test_a_real_csl_file_in_the_project_passes(project: Copy) -> None:
    from briefgen.load.csl import find_csl

    root = project("basic")
    style = find_csl("chicago-author-date", root)
    assert style is not None
    (root / "house.csl").write_bytes(style.read_bytes())
    _set_csl(root, "house.csl")
    assert invoke(["check", "--project", str(root)]).exit_code == 0


# --------------------------------------------------------------------------- bibliography

BIB_TOO_LARGE = (
    "references.bib:1:1: error bib-file: bibliography is 40.0 MB, over the 32 MB briefgen "
    "reads: remove the entries no section cites, or point 'bibliography:' in briefgen.yaml "
    "at a smaller file"
)


def test_a_bibliography_over_the_limit_is_a_finding_and_refuses_the_build(project: Copy) -> None:
    root = project("basic")
    with open(root / "references.bib", "r+b") as handle:
        handle.truncate(40 * 2**20)  # the entries, then zero bytes up to 40 MB
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert BIB_TOO_LARGE in result.stdout
    assert "unknown-key" not in result.stdout  # one finding for one problem
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert BIB_TOO_LARGE in result.stderr
    assert not (root / "build/note.html").exists()


def test_a_bibliography_that_is_not_a_regular_file_is_a_finding(project: Copy) -> None:
    root = project("basic")
    (root / "references.bib").unlink()
    os.mkfifo(root / "references.bib")  # reading it would block for ever
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "references.bib:1:1: error bib-file: references.bib is not a regular file (a "
        "directory, a pipe or a device): remove it"
    ) in result.stderr


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("date", ["9999-12-31", "2108-01-01", "1969-12-31", "0001-01-01"])
def test_a_brief_date_no_output_can_carry_is_a_finding(project: Copy, date: str) -> None:
    root = project("basic")
    replace(root, "briefs/note.yaml", "date: 2026-11-23", f"date: {date}")
    code, found = check_json(root)
    assert code == 1
    assert found == [
        (
            "briefs/note.yaml",
            4,
            1,
            "brief-file",
            f"date {date} cannot date the outputs: give a date from 1970-01-01 to 2107-12-31",
        )
    ]
    result = invoke(["build", "note", "--to", "pdf", "--project", str(root)])
    assert result.exit_code == 1
    assert not (root / "build").exists()


@pytest.mark.parametrize(
    "epoch", ["99999999999999999999", "4354819200", "-5", "abc", "1e9", "٣", "9" * 5000]
)
def test_a_source_date_epoch_out_of_range_is_an_error_naming_it(
    project: Copy, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    root = project("basic")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    shown = epoch if len(epoch) <= 24 else epoch[:21] + "..."
    result = invoke(["build", "note", "--to", "pdf", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"briefgen: SOURCE_DATE_EPOCH={shown!r} is not a date briefgen can use: give the "
        "seconds since 1970 of a date up to 2107-12-31, or unset it\n"
    )
    assert not (root / "build").exists()


def test_review_dates_far_off_do_not_stop_a_build(project: Copy) -> None:
    # reviewed: reaches no output; a year 1 or 9999 is only reported as stale or fresh
    root = project("basic")
    replace(root, ANONYMITY, "reviewed: 2026-11-01", "reviewed: 0001-01-01")
    append_front = "marking: TLP:CLEAR\n---"
    replace(root, COOPERATION, append_front, "marking: TLP:CLEAR\nreviewed: 9999-12-31\n---")
    assert invoke(["check", "--project", str(root)]).exit_code == 0
    listing = invoke(["list", "--format", "json", "--project", str(root)])
    assert listing.exit_code == 0
    reviewed = {s["id"]: s["reviewed"] for s in json.loads(listing.stdout)["sections"]}
    assert reviewed == {"anonymity": "0001-01-01", "cooperation": "9999-12-31"}
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- lang and images


def test_lang_english_in_briefgen_yaml_is_refused_at_its_line(project: Copy) -> None:
    root = project("basic")
    append(root, "briefgen.yaml", "lang: english\n")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr == "briefgen: briefgen.yaml:16: lang: a language tag such as en-GB\n"


def test_lang_english_on_a_div_is_refused_at_its_place(project: Copy) -> None:
    # pandoc reads it; typst refused the PDF ("expected two or three letter language code")
    root = project("basic")
    append(
        root,
        COOPERATION,
        "\n::: {lang=english}\nParties cooperate [@budapest2001].\n:::\n\n"
        "[Les parties]{lang=fr-FR} coopèrent `{lang=code}` [@budapest2001].\n",
    )
    code, found = check_json(root)
    assert code == 1
    assert found == [
        (
            COOPERATION,
            18,
            6,
            "raw-content",
            "lang='english' is not a language tag: write one such as en-GB or fr",
        )
    ]


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (
            "../outside.png",
            "image '../outside.png' is outside the project: keep images inside it and give "
            "their path relative to it (images/figure.png)",
        ),
        (
            "images/chart.png",  # a link to the file outside
            "image 'images/chart.png' is outside the project: keep images inside it and give "
            "their path relative to it (images/figure.png)",
        ),
        (
            "/etc/passwd.png",
            "image '/etc/passwd.png' is not allowed in sections: give the path of an image "
            "file inside the project, relative to it (images/figure.png)",
        ),
    ],
)
def test_an_image_outside_the_project_is_refused_at_its_place(
    project: Copy, image: str, message: str
) -> None:
    root = project("basic")
    (root.parent / "outside.png").write_bytes(b"\x89PNG" + CANARY.encode())
    (root / "images").mkdir()
    (root / "images/chart.png").symlink_to(root.parent / "outside.png")
    append(root, COOPERATION, f"\n![A chart]({image}) [@budapest2001]\n")
    code, found = check_json(root)
    assert code == 1
    assert found == [(COOPERATION, 18, 12, "raw-content", message)]


# --------------------------------------------------------------------------- watch


def test_watch_reports_a_missing_bibliography_and_keeps_watching(project: Copy) -> None:
    from briefgen.build import BuildOutcome
    from briefgen.cache.memory import CacheMemory
    from briefgen.errors import BriefgenError
    from briefgen.watch import relevant, watch

    root = project("basic")
    bib = root / "references.bib"
    entries = bib.read_bytes()
    seen: list[str] = []

    def report(outcome: BuildOutcome | BriefgenError) -> None:
        if isinstance(outcome, BriefgenError):
            seen.append(f"error: {outcome}")
        else:
            seen.append(f"{len(outcome.built)} built, {len(outcome.skipped)} up to date")

    def changes() -> Iterator[object]:
        bib.unlink()  # deleted while watching
        yield {"deleted"}
        bib.write_bytes(entries)  # and written again
        yield {"added"}

    bib.unlink()  # missing when watching starts
    memory = CacheMemory.open(root, True)  # as app.watch opens it: the build record lives there
    runs = watch(
        root,
        ["note"],
        ["html"],
        root / "build",
        report,
        changes=_after(bib, entries),
        memory=memory,
    )
    assert runs == 2
    assert seen == [
        "error: references.bib: bibliography not found: create it, or set 'bibliography:' in "
        "briefgen.yaml",
        "1 built, 0 up to date",
    ]

    seen.clear()
    runs = watch(root, ["note"], ["html"], root / "build", report, changes=changes(), memory=memory)
    assert runs == 3
    assert seen == [
        "0 built, 1 up to date",
        "error: references.bib: bibliography not found: create it, or set 'bibliography:' in "
        "briefgen.yaml",
        "0 built, 1 up to date",
    ]
    # a bibliography written again is seen though it was gone; outputs and caches are not
    assert relevant(root, root / "references.bib")
    assert relevant(root, root / "briefs/sections/new.md")
    assert not relevant(root, root / "build/note.html")
    assert not relevant(root, root / ".briefgen-cache/scan/x.json")
    assert not relevant(root, root / "briefs/sections/.new.md.swp")


def _after(bib: Path, entries: bytes) -> Iterator[object]:
    bib.write_bytes(entries)  # created once watching has begun
    yield {"added"}
