"""The claim rule of SPEC.md, construct by construct, at exact lines and columns."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefgen.check import check
from briefgen.load import load_project
from briefgen.scan import ScanInput, scan_files
from briefgen.scan.batch import parse_group
from briefgen.scan.pandoc import read_document
from briefgen.scan.sentences import split_sentences
from tests.conftest import PROJECTS, invoke

CONSTRUCTS = "briefs/sections/constructs.md"


def findings_of(project: Path) -> list[tuple[str, int, int, str]]:
    result = check(load_project(project))
    return [(f.file, f.line, f.column, f.rule) for f in result.findings]


def test_every_construct_is_found_at_its_line_and_column() -> None:
    assert findings_of(PROJECTS / "constructs") == [
        (CONSTRUCTS, 4, 44, "uncited-claim"),  # summary: front matter lines count
        (CONSTRUCTS, 9, 34, "uncited-claim"),  # second sentence of a paragraph
        (CONSTRUCTS, 10, 57, "uncited-claim"),  # after a citation group standing alone
        (CONSTRUCTS, 17, 3, "uncited-claim"),  # list item
        (CONSTRUCTS, 19, 3, "uncited-claim"),  # block quote
        (CONSTRUCTS, 24, 3, "uncited-claim"),  # table row without a citation: each cell
        (CONSTRUCTS, 24, 13, "uncited-claim"),
        (CONSTRUCTS, 26, 3, "uncited-claim"),  # table caption
        (CONSTRUCTS, 28, 34, "uncited-claim"),  # footnote without a source does not cite
        (CONSTRUCTS, 31, 9, "uncited-claim"),  # ... and is itself an uncited claim
        (CONSTRUCTS, 33, 33, "unknown-key"),  # one finding, no uncited-claim as well
    ]


def test_claim_texts_and_keys() -> None:
    result = check(load_project(PROJECTS / "constructs"))
    sentences = {s.text: s for s in result.scans["constructs"].sentences}
    # a citation group standing alone after a sentence cites that sentence
    assert sentences["A sentence cited by the group after it."].keys == ("budapest2001",)
    # a footnote with a citation cites the sentence it hangs on
    assert sentences["A sentence with a footnote."].keys == ("owen2015tor",)
    # abbreviations, numbers, e-mail, URL: one sentence each
    assert (
        "The U.S. view, e.g. in 18 U.S.C. § 2523, is approx. 3.5 times wider, cf. Art. 16."
        in sentences
    )
    assert (
        "Dr. Smith et al. wrote to info@example.org and https://example.org/a.b on p. 4."
        in sentences
    )
    assert sentences["He said “the case is closed.”"].keys == ("owen2015tor",)
    assert sentences["Analysis is exempt."].status == "exempt-judgment"
    assert sentences["An aside is exempt."].status == "exempt-note"
    assert "Code is not a claim." not in sentences
    assert "A heading is not a claim" not in sentences
    assert sentences["Germany"].keys == ("budapest2001",)  # the row's citation covers it


HARD = (
    "The U.S. government, e.g. the DOJ, acted. "
    "Art. 16 of the Convention applies, i.e. to parties. "
    "Dr. Smith et al. found approx. 3.5 million reports. "
    "See No. 5 on p. 4 of the report. "
    "Under 18 U.S.C. § 2523 the agreement applies. "
    "Write to info@example.org for copies. "
    "See https://www.example.org/a.b/c for details. "
    'He said "it is over." '
    "Then it ended. "
    "Vol. 3 covers pp. 10–12."
)


def test_splitter_gets_the_hard_cases_right() -> None:
    spans = split_sentences(HARD)
    sentences = [HARD[s:e].strip() for s, e in spans]
    assert len(sentences) == 10, sentences
    assert sentences[0] == "The U.S. government, e.g. the DOJ, acted."
    assert sentences[7] == 'He said "it is over."'


def test_sentence_spanning_lines_reports_its_first_line() -> None:
    source = "---\ntitle: T\n---\n\nFirst line of a sentence\ncontinues here. Second\none.\n"
    [scan] = scan_files([ScanInput(source, source.index("\n\n") + 2)])
    assert [(s.line, s.column, s.text) for s in scan.sentences] == [
        (5, 1, "First line of a sentence continues here."),
        (6, 17, "Second one."),
    ]


def test_footnote_labels_do_not_collide_across_batched_files() -> None:
    a = "---\ntitle: A\n---\nA claim.[^1]\n\n[^1]: Cited [@x].\n"
    b = "---\ntitle: B\n---\nB claim.[^1]\n\n[^1]: Not cited.\n"
    scans = scan_files([ScanInput(a, 16), ScanInput(b, 16)])
    assert [s.keys for s in scans[0].sentences if s.where == "body"] == [("x",)]
    assert [s.keys for s in scans[1].sentences if s.where == "body"] == [()]


@pytest.mark.parametrize("opening", ["::: judgment", "~~~~", "```", "<div>"])
def test_unclosed_block_does_not_swallow_the_next_file(opening: str) -> None:
    a = f"---\ntitle: A\n---\n{opening}\nunclosed\n"
    b = "---\ntitle: B\n---\nA claim in B.\n"
    scans = scan_files([ScanInput(a, 16), ScanInput(b, 16), ScanInput(b, 16)])
    for scan in scans[1:]:
        assert [(s.text, s.status, s.line) for s in scan.sentences] == [
            ("A claim in B.", "claim", 4)
        ]


def test_check_json_is_the_spec_document(project) -> None:  # type: ignore[no-untyped-def]
    result = invoke(["check", "--project", str(project("constructs")), "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["version"] == 1
    assert doc["summary"] == {
        "sections": 1,
        "claims": 23,
        "cited": 12,
        "uncited": 10,
        "errors": 11,
        "warnings": 0,
    }
    assert doc["findings"][1] == {
        "rule": "uncited-claim",
        "severity": "error",
        "file": CONSTRUCTS,
        "line": 9,
        "column": 34,
        "message": "claim has no citation: cite a source ([@key]), or put analysis in a "
        "::: judgment block",
        "text": "An uncited sentence in a paragraph.",
    }


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_clean_project_exits_zero_in_every_format(project, fmt: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke(["check", "--project", str(project("basic")), "--format", fmt])
    assert result.exit_code == 0, result.output


def test_footnote_marker_in_a_summary_is_not_a_claim() -> None:
    source = (
        "---\ntitle: T\nsummary: A cited summary [@x].[^1]\n---\n\n"
        "Body [@x].[^1]\n\n[^1]: Note [@x].\n"
    )
    summary_offset = source.index("A cited")
    [scan] = scan_files(
        [ScanInput(source, source.index("Body"), "A cited summary [@x].[^1]", summary_offset)]
    )
    assert [(s.where, s.text) for s in scan.sentences if s.where == "summary"] == [
        ("summary", "A cited summary.")
    ]


def test_author_in_text_sentence_is_located_at_its_citation() -> None:
    source = "---\ntitle: A\n---\nFirst claim [@a].\n@smith2020 [p. 3] reports a second claim.\n"
    [scan] = scan_files([ScanInput(source, 16)])
    assert [(s.line, s.column, s.keys) for s in scan.sentences] == [
        (4, 1, ("a",)),
        (5, 1, ("smith2020",)),
    ]


def test_scan_reports_progress_per_batch() -> None:
    sources = [f"---\ntitle: S{i}\n---\nClaim {i} [@k{i}].\n" for i in range(5)]
    calls: list[tuple[int, int]] = []
    scan_files(
        [ScanInput(s, 17) for s in sources], jobs=2, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (5, 5)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert all(t == 5 for _, t in calls)


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from briefgen.cli.progress import ScanProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream, shown in ((io.StringIO(), False), (Terminal(), True)):
        monkeypatch.setattr("sys.stderr", stream)
        with ScanProgress() as progress:
            for done in range(0, 101, 20):
                progress(done, 100)
        assert ("checking" in stream.getvalue()) is shown
    small = Terminal()
    monkeypatch.setattr("sys.stderr", small)
    with ScanProgress() as progress:
        progress(10, 10)  # too few files to wait for
    assert small.getvalue() == ""


def test_a_batch_is_cut_at_its_sentinels_and_decoded_file_by_file() -> None:
    chunks = ["A claim [@a].", "", "> Quoted [@b].\n\nMore.", "::: judgment\nOpen.\n:::"]
    group = parse_group(chunks)
    assert group.pieces is not None  # cut at the sentinels: no whole-document decode
    got = [group.blocks(i) for i in range(len(chunks))]
    assert group.fallback is None
    assert same_blocks(got, [read_document(text)[0] for text in chunks])


def test_a_batch_with_a_swallowed_sentinel_falls_back_to_each_file_alone() -> None:
    chunks = ["Before.", "::: judgment\nNever closed.", "After [@a].", "Last."]
    group = parse_group(chunks)
    got = [group.blocks(i) for i in range(len(chunks))]
    assert group.fallback is not None
    assert same_blocks(got, [read_document(text)[0] for text in chunks])


def same_blocks(a: object, b: object) -> bool:
    """Equal ASTs but for citation note numbers, which pandoc counts over a whole batch."""

    def text(blocks: object) -> str:
        return re.sub(r'"citationNoteNum": \d+', "", json.dumps(blocks))

    return text(a) == text(b)
