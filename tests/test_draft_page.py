"""A draft PDF lists its open findings on a last page (issue #19, item 10), and what a
finding holds from the sections reaches Typst as text, never as markup or code."""

from __future__ import annotations

import io
import json

import pypdf
import typst
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.draft_page import LISTED, findings_page, typst_string
from tests.conftest import invoke

PAYLOADS = [
    '#set page(fill: red) #panic("x")',
    "] #text(fill: red)[owned",
    "$x^2$ and $",
    "\\ backslash \\\\ and \\u{41}",
    "@owen2015tor and <label> and <",
    '"quoted" // not a comment /* nor this */',
    "line\nbreak\r\x00\x1b\u2028\u2029 end",
    "`raw` *strong* _emph_ = heading",
]


def round_trip(text: str) -> str:
    """What Typst reads from ``typst_string(text)``: the value of a metadata element."""
    source = f"#metadata({typst_string(text)}) <m>\n".encode()
    values = json.loads(typst.query(source, "<m>", field="value"))
    assert len(values) == 1
    return str(values[0])


def test_each_payload_reaches_typst_as_exactly_its_text() -> None:
    for payload in PAYLOADS:
        assert round_trip(payload) == payload


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60))
def test_any_text_reaches_typst_as_exactly_itself(text: str) -> None:
    assert round_trip(text) == text


def test_the_page_compiles_with_hostile_findings_and_prints_them() -> None:
    findings = [
        ("error uncited-claim", f"briefs/sections/a.md:{n}", p) for n, p in enumerate(PAYLOADS, 1)
    ]
    source = "#set page(width: 20cm, height: auto)\n" + findings_page(findings)
    pdf = typst.compile(source.encode(), format="pdf", ignore_system_fonts=True)
    text = " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )
    assert "Open findings (draft)" in text
    assert '#set page(fill: red) #panic("x")' in text
    assert "] #text(fill: red)[owned" in text
    assert "@owen2015tor and <label>" in text
    assert "briefs/sections/a.md:8" in text


def test_no_findings_says_so_and_many_are_counted() -> None:
    assert "reported nothing" in findings_page([])
    many = [("warning terminology", f"a.md:{n}", "m") for n in range(LISTED + 5)]
    page = findings_page(many)
    assert page.count('"a.md:') == LISTED
    assert "… and 5 more." in page
    # warnings alone do not refuse the brief, and the page does not say they do
    assert "none of it is an error: the brief itself builds" in page
    assert "refused" not in page
    assert "is refused until every error is resolved" in findings_page([("error x", "a.md:1", "m")])


def test_draft_pdf_ends_with_its_findings(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs" / "sections" / "anonymity.md"
    section.write_text(
        section.read_text()
        + "\nA claim with #set text(red) and ] $ \\ @nokey <x in it.\n\nTor is slow.\n"
    )
    result = invoke(["build", "note", "--draft", "--to", "pdf", "--project", str(root)])
    assert result.exit_code == 0, result.output
    pages = pypdf.PdfReader(root / "build" / "note.draft.pdf").pages
    last = " ".join(pages[-1].extract_text().split())
    assert "Open findings (draft)" in last, last
    assert "error unknown-key briefs/sections/anonymity.md:18" in last
    assert "unknown citation key 'nokey'" in last
    assert "error uncited-claim briefs/sections/anonymity.md:20" in last
    assert "“Tor is slow.”" in last


def test_a_clean_draft_says_nothing_is_open(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    result = invoke(["build", "note", "--draft", "--to", "pdf", "--project", str(root)])
    assert result.exit_code == 0, result.output
    last = pypdf.PdfReader(root / "build" / "note.draft.pdf").pages[-1].extract_text()
    assert "reported nothing for the brief" in " ".join(last.split())
    built = invoke(["build", "note", "--to", "pdf", "--project", str(root)])
    assert built.exit_code == 0, built.output
    pages = pypdf.PdfReader(root / "build" / "note.pdf").pages
    assert all("Open findings" not in page.extract_text() for page in pages)
