"""The scan's seams: the claim rule as a pure function of a file and pandoc's AST of it, and
the one pandoc runner that reading and rendering share."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.render import run_pandoc
from briefgen.scan import ScanInput, scan_files, walk
from briefgen.scan import pandoc as scan_pandoc
from briefgen.scan.pandoc import PandocError, read_document

HEADER = "---\ntitle: T\nsummary: A summary [@a].\n---\n\n"
BODY = (
    "A cited claim [@a]. One its footnote cites.[^1]\n\n"
    "::: judgment\nAn assessment.\n:::\n\n"
    "| Country | Rate |\n| --- | --- |\n| Germany | 4 [@b] |\n\n"
    "[^1]: A note that cites [@c].\n"
)


def test_the_walker_is_a_function_of_the_source_and_pandocs_ast() -> None:
    """``walk`` reads nothing and runs nothing: given the same text and AST it gives the
    same scan, and the batched, threaded scan of the file is that same scan."""
    source = HEADER + BODY
    item = ScanInput(source, len(HEADER), "A summary [@a].", source.index("A summary"))
    body, _ = read_document(BODY)
    summary, _ = read_document("A summary [@a].")
    first = walk(item, body, summary)
    assert walk(item, body, summary) == first
    assert scan_files([item], jobs=1) == [first]
    assert [(s.where, s.line, s.column, s.keys, s.status) for s in first.sentences] == [
        ("summary", 3, 10, ("a",), "claim"),  # front matter lines count
        ("footnote", 16, 7, ("c",), "claim"),  # walked before the sentence it hangs on
        ("body", 6, 1, ("a",), "claim"),
        ("body", 6, 21, ("c",), "claim"),  # cited by its footnote
        ("body", 9, 1, (), "exempt-judgment"),
        ("body", 14, 3, ("b",), "claim"),  # the row's citation covers its cells
    ]


def test_pandoc_failures_read_the_same_from_every_caller(tmp_path: Path) -> None:
    """One runner: a failure is ``pandoc failed: <what pandoc said, on one line>``, whether
    the check reads a section or the build renders a brief."""
    with pytest.raises(PandocError) as reading:
        scan_pandoc.run(["--from", "no-such-format"], "text", timeout=60)
    with pytest.raises(PandocError) as rendering:
        run_pandoc(["--from", "no-such-format"], "text", tmp_path)
    assert str(reading.value) == str(rendering.value)
    assert str(reading.value).startswith("pandoc failed: ")
    assert "Unknown input format" in reading.value.reason
    assert "\n" not in str(reading.value)


def test_a_pandoc_that_cannot_run_is_named_in_the_finding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(scan_pandoc, "pandoc_path", lambda: str(tmp_path / "no-pandoc"))
    source = HEADER + "A claim [@a].\n"
    [scan] = scan_files([ScanInput(source, len(HEADER))], jobs=1)
    assert scan.error is not None
    assert scan.error.startswith("pandoc cannot read this file: cannot run pandoc: ")
    assert scan.error.endswith(": correct the Markdown it names")


@pytest.mark.parametrize("before", ["Before [@a].\n", "::: judgment\nNever closed.\n"])
def test_a_footnote_label_shown_as_text_scans_the_same_in_a_batch_as_alone(before: str) -> None:
    """pandoc reads a definition swallowed by a block quote as text, and shows its label:
    the label a batch gave it is taken out before the walk, so the sentences have the text,
    and the places, they have when the file is scanned alone (a batch cut at its sentinels,
    and one that falls back to reading each file alone)."""
    noted = "A noted claim.[^1]\n> Quoted [@a].\n[^1]: Its note [@b].\n"
    items = [ScanInput(HEADER + before, len(HEADER)), ScanInput(HEADER + noted, len(HEADER))]
    alone = [scan_files([item], jobs=1)[0] for item in items]
    assert scan_files(items, jobs=1) == alone
    assert [s.text for s in alone[1].sentences] == [
        "A noted claim.[^1] > Quoted.",
        "[^1]: Its note.",
    ]


def test_rendering_runs_pandoc_with_a_heap_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading and rendering both give the bundled pandoc a heap limit (+RTS -M), never over
    a GHCRTS the user set."""
    from briefgen.scan import pandoc

    monkeypatch.delenv("GHCRTS", raising=False)
    pandoc.render_env.cache_clear()
    try:
        if pandoc.pandoc_path() == pandoc._bundled_pandoc():
            assert pandoc.render_env() == {"GHCRTS": "-M4g"}
        monkeypatch.setenv("GHCRTS", "-H1m")
        pandoc.render_env.cache_clear()
        assert pandoc.render_env() == {}
    finally:
        pandoc.render_env.cache_clear()
