"""Evidence (issue #17): the cited source must say what the sentence claims.

Each test builds the basic sample project with source texts of its own (sources/ notes,
a PDF made with typst, HTML) and one probe section, and checks the findings' exact
messages and positions, the outputs that show the evidence, and what briefgen refuses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import typst

from briefgen.check import check
from briefgen.evidence.texts import file_field_paths, html_text, read_pages
from briefgen.load import load_project
from tests.conftest import invoke

Copy = Callable[[str], Path]

SECTION = "briefs/sections/probe.md"
HEAD = "---\ntitle: Probe\n---\n\n"  # the body starts on line 5
OWEN = """Owen & Savage, The Tor Dark Net (GCIG, September 2015).

- A six-month study of Tor hidden services: 45 percent of the sites were criminal (p. 5).
- Hidden services conceal the location of the server hosting a site (p. 1).
- About 2,000,000 users connect each day, on the Tor Project's own figures (p. 9).
"""
ONLY_OWEN = {"owen2015tor.md": OWEN}
BUDAPEST = """<!-- page 1 -->
Article 25 General principles relating to mutual assistance. The Parties shall afford one
another mutual assistance to the widest extent possible.

<!-- page 2 -->
Article 29 Expedited preservation of stored computer data. A Party may request another
Party to order the expeditious preservation of data stored by a computer system.
"""


def probe(project: Copy, body: str, sources: dict[str, str] | None = None) -> Path:
    """The basic project with a probe section in its brief and source texts."""
    root = project("basic")
    (root / SECTION).write_text(HEAD + body, encoding="utf-8")
    brief = root / "briefs/note.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + "  - probe\n", encoding="utf-8")
    texts = {"owen2015tor.md": OWEN, "budapest2001.md": BUDAPEST} if sources is None else sources
    (root / "sources").mkdir(exist_ok=True)
    for name, text in texts.items():
        (root / "sources" / name).write_text(text, encoding="utf-8")
    return root


def found(root: Path, rules: tuple[str, ...] = ()) -> list[tuple[str, int, int, str, str]]:
    """(file, line, column, rule, message) of the evidence findings about the probe
    section, or the findings of ``rules`` anywhere."""
    wanted = rules or ("unsupported-figure", "weak-support", "pinpoint-mismatch")
    result = check(load_project(root, None))
    return [(f.file, f.line, f.column, f.rule, f.message) for f in result.findings
            if f.rule in wanted and (rules or f.file == SECTION)]  # fmt: skip


# --------------------------------------------------------------------------- figures


def test_a_figure_no_cited_source_gives_is_reported_at_its_column(project: Copy) -> None:
    root = probe(
        project, "Tor hidden services conceal the location of\n3,500 servers [@owen2015tor].\n"
    )
    assert found(root) == [
        (
            SECTION, 6, 1, "unsupported-figure",
            "figure '3,500' is not in the source text of 'owen2015tor': check the figure "
            "against the source, or cite a source that gives it",
        )
    ]  # fmt: skip


def test_figures_match_in_any_spelling(project: Copy) -> None:
    body = (
        "A six-month study of Tor hidden services found 45% of sites criminal "
        "[@owen2015tor, p. 5].\n\nAbout 2 million users connect each day [@owen2015tor, p. 9].\n"
    )
    assert found(probe(project, body)) == []


def test_a_figure_is_searched_in_every_source_cited_for_the_sentence(project: Copy) -> None:
    body = "Parties give 45 percent mutual assistance [@budapest2001; @owen2015tor].\n"
    root = probe(project, body)
    assert found(root, ("unsupported-figure",)) == []
    (root / SECTION).write_text(HEAD + body.replace("45", "46"), encoding="utf-8")
    assert found(root, ("unsupported-figure",)) == [
        (
            SECTION, 5, 14, "unsupported-figure",
            "figure '46 percent' is not in any of 'budapest2001', 'owen2015tor': check the "
            "figure against the source, or cite a source that gives it",
        )
    ]  # fmt: skip


def test_a_key_without_source_text_is_not_judged(project: Copy) -> None:
    body = "Hidden services conceal 9,999 servers [@owen2015tor; @budapest2001].\n"
    root = probe(project, body, {"owen2015tor.md": OWEN})
    assert found(root) == []  # budapest2001 might hold the figure: nothing can be said


# --------------------------------------------------------------------------- support


def test_a_claim_its_source_does_not_support_is_weak(project: Copy) -> None:
    body = "Cryptocurrency exchanges must freeze ransom payments quickly [@owen2015tor].\n"
    [(file, line, column, rule, message)] = found(probe(project, body))
    assert (file, line, column, rule) == (SECTION, 5, 1, "weak-support")
    assert message.startswith("claim is weakly supported by 'owen2015tor': support 0.")
    assert message.endswith(
        "(best passage: owen2015tor), below 0.30: check that the source says this, or "
        "cite one that does"
    )


def test_a_source_that_adds_nothing_beside_a_good_one_is_flagged(project: Copy) -> None:
    body = "Hidden services conceal the location of the server [@owen2015tor; @budapest2001].\n"
    [(file, line, column, rule, message)] = found(probe(project, body))
    assert (file, line, column, rule) == (SECTION, 5, body.index("@budapest") + 1, "weak-support")
    assert message.startswith("'budapest2001' gives this claim almost no support: its best")
    assert message.endswith(
        "below 0.10, while the claim's other sources support it: check this citation"
    )


def test_a_pinpoint_away_from_the_best_passage_is_reported(project: Copy) -> None:
    body = (
        "Parties must afford one another mutual assistance to the widest extent possible "
        "[@budapest2001, art. 29].\n\nHidden services conceal the location of the server "
        "[@owen2015tor, p. 9].\n\nParties give mutual assistance [@budapest2001, p. 1].\n"
    )
    assert found(probe(project, body), ("pinpoint-mismatch",)) == [
        (
            SECTION, 5, 82, "pinpoint-mismatch",
            "pinpoint 'art. 29' of 'budapest2001': the passage that best supports the claim "
            "is at art. 25 (score 1.00; at art. 29: 0.16): check the pinpoint",
        ),
        (
            SECTION, 7, 53, "pinpoint-mismatch",
            "pinpoint 'p. 9' of 'owen2015tor': the passage that best supports the claim is "
            "at p. 1 (score 1.00; at p. 9: 0.00): check the pinpoint",
        ),
    ]  # fmt: skip


def test_require_source_text_reports_each_cited_key_without_one(project: Copy) -> None:
    root = probe(project, "Hidden services conceal servers [@owen2015tor].\n", {})
    (root / "briefgen.yaml").write_text(
        (root / "briefgen.yaml").read_text() + "require_source_text: true\n"
    )
    assert found(root, ("missing-source-text",))[0] == (
        "briefs/sections/anonymity.md", 4, 3, "missing-source-text",
        "'owen2015tor' has no source text, and require_source_text is on: add "
        "sources/owen2015tor.md (notes), .txt, .pdf or .html, or a file field to its entry",
    )  # fmt: skip
    (root / "briefgen.yaml").write_text(
        (root / "briefgen.yaml").read_text().replace("true", "maybe")
    )
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert "require_source_text must be true or false" in result.stderr


def test_no_source_texts_means_no_evidence_findings(project: Copy) -> None:
    root = probe(project, "Hidden services conceal 9,999 servers [@owen2015tor].\n", {})
    result = invoke(["check", "--strict", "--project", str(root)])
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- source files


def pdf(root: Path, pages: list[str]) -> bytes:
    """A PDF of ``pages`` (one typst page each), compiled in the test."""
    source = "\n#pagebreak()\n".join(pages)
    (root / "doc.typ").write_text("#set page(height: auto)\n" + source, encoding="utf-8")
    data: bytes = typst.compile(str(root / "doc.typ"))
    (root / "doc.typ").unlink()
    return data


def test_a_pdf_is_read_page_by_page(project: Copy) -> None:
    root = probe(project, "Hidden services hid 4,321 servers [@owen2015tor, p. 2].\n", {})
    pages = ["Nothing here.", "Volunteers run relays.", "Hidden services hid 4,321 servers."]
    (root / "sources/owen2015tor.pdf").write_bytes(pdf(root, pages))
    read = read_pages(root, root / "sources/owen2015tor.pdf")
    assert [(p.label, " ".join(p.text.split())) for p in read] == [
        ("1", "Nothing here."),
        ("2", "Volunteers run relays."),
        ("3", "Hidden services hid 4,321 servers."),
    ]
    assert found(root) == [
        (
            SECTION, 5, 36, "pinpoint-mismatch",
            "pinpoint 'p. 2' of 'owen2015tor': the passage that best supports the claim is "
            "at p. 3 (score 1.00; at p. 2: 0.00): check the pinpoint",
        )
    ]  # fmt: skip


def test_a_malformed_or_huge_pdf_is_an_error(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = probe(project, "Hidden services conceal servers [@owen2015tor].\n", {})
    (root / "sources/owen2015tor.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage")
    [(file, line, column, rule, message)] = found(root, ("source-file",))
    assert (file, line, column, rule) == ("sources/owen2015tor.pdf", 1, 1, "source-file")
    assert message.startswith("source text 'sources/owen2015tor.pdf' cannot be read as a PDF (")
    monkeypatch.setattr("briefgen.evidence.texts.MAX_PDF_BYTES", 2**20)
    (root / "sources/owen2015tor.pdf").write_bytes(b"%PDF" + b"0" * (3 * 2**20))
    assert found(root, ("source-file",))[0][4] == (
        "source text 'sources/owen2015tor.pdf' is 3.0 MB, over the 1 MB a file may hold: split it"
    )


def test_html_is_text_only(project: Copy) -> None:
    html = (
        "<html><head><title>9,999</title><script>var x = '8,888 servers';</script></head>"
        "<body><!-- page 4 --><p>Hidden services hid 7,777 servers.</p>"
        "<style>p{content:'6,666'}</style><script>alert(1)"
    )
    assert " ".join(html_text(html).split()) == "<!-- page 4 --> Hidden services hid 7,777 servers."
    root = probe(project, "Hidden services hid 8,888 servers [@owen2015tor, p. 4].\n", {})
    (root / "sources/owen2015tor.html").write_text(html)
    assert [f[4].split(":")[0] for f in found(root)] == [
        "figure '8,888' is not in the source text of 'owen2015tor'"
    ]


def test_file_field_forms() -> None:
    assert file_field_paths("papers/a.pdf") == ["papers/a.pdf"]
    assert file_field_paths(":papers/a.pdf:PDF") == ["papers/a.pdf"]
    assert file_field_paths("Full text:papers/a b.pdf:application/pdf;:notes/a.md:text") == [
        "papers/a b.pdf",
        "notes/a.md",
    ]
    assert file_field_paths(r"C\:/x.pdf") == ["C:/x.pdf"]


@pytest.mark.parametrize(
    "written",
    ["../outside.md", "/etc/passwd", r"C:\docs\a.pdf", ":../../a.pdf:PDF", "link/out.md"],
)
def test_a_file_field_reaching_outside_the_project_is_refused(
    project: Copy, tmp_path: Path, written: str
) -> None:
    root = probe(project, "Hidden services conceal 9,999 servers [@owen2015tor].\n", {})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "out.md").write_text("9,999 servers", encoding="utf-8")
    os.symlink(outside, root / "link")
    bib = root / "references.bib"
    bib.write_text(bib.read_text().replace("  date ", f"  file = {{{written}}},\n  date "))
    findings = found(root, ("source-file", "unsupported-figure"))
    [(file, line, column, rule, message)] = findings
    assert (file, line, column, rule) == ("references.bib", 1, 1, "source-file")
    shown = written.replace(":PDF", "").lstrip(":")
    assert message == (
        f"entry 'owen2015tor': file '{shown}' is outside the project: source texts must be "
        "inside it, named by a path relative to the bibliography"
    )


def test_a_link_out_of_sources_is_refused(project: Copy, tmp_path: Path) -> None:
    root = probe(project, "Hidden services conceal 9,999 servers [@owen2015tor].\n", {})
    (tmp_path / "secret.md").write_text("9,999 servers", encoding="utf-8")
    os.symlink(tmp_path / "secret.md", root / "sources/owen2015tor.md")
    assert found(root, ("source-file", "unsupported-figure")) == [
        (
            "sources/owen2015tor.md", 1, 1, "source-file",
            "source text 'sources/owen2015tor.md' is a link to a file outside the project: "
            "content must stay inside it",
        )
    ]  # fmt: skip


def test_files_in_sources_briefgen_cannot_use(project: Copy) -> None:
    root = probe(project, "Hidden services conceal servers [@owen2015tor].\n")
    (root / "sources/owen2015tor.docx").write_bytes(b"PK")
    (root / "sources/nobody2020.md").write_text("notes")
    (root / "sources/latin1.txt").write_bytes(b"caf\xe9")
    assert found(root, ("source-file", "unknown-source")) == [
        (
            "sources/latin1.txt", 1, 1, "unknown-source",
            "source text 'sources/latin1.txt' names no entry of the bibliography: name it "
            "after a key (sources/<key>.txt)",
        ),
        (
            "sources/nobody2020.md", 1, 1, "unknown-source",
            "source text 'sources/nobody2020.md' names no entry of the bibliography: name it "
            "after a key (sources/<key>.md)",
        ),
        (
            "sources/owen2015tor.docx", 1, 1, "source-file",
            "source text 'owen2015tor.docx' is not a type briefgen reads: save it as .md, "
            ".txt, .pdf, .html or .htm",
        ),
    ]  # fmt: skip
    (root / "sources/budapest2001.txt").write_bytes(b"caf\xe9")
    assert found(root, ("source-file",))[0][4] == (
        "source text 'sources/budapest2001.txt' is not UTF-8 text (byte 3): save it as UTF-8"
    )


# --------------------------------------------------------------------------- outputs


def test_claims_evidence_and_refs_show_the_evidence(project: Copy) -> None:
    root = probe(project, "Hidden services conceal 3,500 servers [@owen2015tor, p. 1].\n")
    rows = json.loads(invoke(["claims", "--format", "json", "--project", str(root)]).output)
    [row] = [r for r in rows if r["section"] == "probe"]
    [best] = row["evidence"]
    assert best["key"] == "owen2015tor" and best["source"] == "sources/owen2015tor.md"
    assert best["passage"].startswith("- Hidden services conceal the location")
    csv = invoke(["claims", "--project", str(root)]).output
    assert csv.splitlines()[0].endswith(",text,evidence")
    text = invoke(["evidence", row["id"], "--project", str(root)]).output
    assert text.splitlines()[:4] == [
        f"{row['id']}  {SECTION}:5:1",
        "  Hidden services conceal [[3,500]] servers.",
        "",
        "  figure 3,500: NOT in any cited source",
    ]
    refs = invoke(["refs", "--project", str(root)]).output
    assert "source texts: 2 of 2 cited keys have one" in refs
    missing = invoke(["evidence", "probe-00000000", "--project", str(root)])
    assert missing.exit_code == 2
    assert "no claim 'probe-00000000'" in missing.stderr


def test_sarif_and_json_carry_the_findings(project: Copy) -> None:
    root = probe(project, "Hidden services conceal 3,500 servers [@owen2015tor].\n", ONLY_OWEN)
    data = json.loads(invoke(["check", "--format", "json", "--project", str(root)]).output)
    assert [f["rule"] for f in data["findings"]] == ["unsupported-figure"]
    sarif = json.loads(invoke(["check", "--format", "sarif", "--project", str(root)]).output)
    [res] = sarif["runs"][0]["results"]
    assert res["ruleId"] == "unsupported-figure"


def test_the_cache_gives_the_same_findings_and_sees_a_source_change(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)
    root = probe(project, "Hidden services conceal 3,500 servers [@owen2015tor].\n", ONLY_OWEN)
    args = ["check", "--format", "json", "--project", str(root)]
    cold, warm = invoke(args).output, invoke(args).output
    monkeypatch.setenv("BRIEFGEN_NO_CACHE", "1")
    assert cold == warm == invoke(args).output
    monkeypatch.delenv("BRIEFGEN_NO_CACHE")
    (root / "sources/owen2015tor.md").write_text(OWEN + "- 3,500 servers were counted.\n")
    assert json.loads(invoke(args).output)["findings"] == []  # the snapshot saw the edit


def test_a_draft_marks_unsupported_figures_and_weak_support(project: Copy) -> None:
    body = (
        "Hidden services conceal 3,500 servers [@owen2015tor].\n\n"
        "Cryptocurrency exchanges freeze ransom payments quickly [@owen2015tor].\n"
    )
    root = probe(project, body, ONLY_OWEN)
    out = root / "out"
    refused = invoke(["build", "note", "--to", "html", "-o", str(out), "--project", str(root)])
    assert refused.exit_code == 1 and not out.exists()
    args = ["build", "note", "--draft", "--to", "html", "-o", str(out), "--project", str(root)]
    assert invoke(args).exit_code == 0
    html = " ".join((out / "note.draft.html").read_text(encoding="utf-8").split())
    assert '<span class="unsupported-figure"><strong>[UNSUPPORTED FIGURE] </strong>Hidden' in html
    assert '<span class="weak-support"><strong>[WEAK SUPPORT] </strong>Cryptocurrency' in html


def test_a_source_read_before_is_taken_from_the_cache(
    project: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFGEN_NO_CACHE", raising=False)  # what is kept lives in the cache
    root = probe(project, "Hidden services hid 4,321 servers [@owen2015tor, p. 2].\n", {})
    pages = ["Nothing here.", "Volunteers run relays.", "Hidden services hid 4,321 servers."]
    (root / "sources/owen2015tor.pdf").write_bytes(pdf(root, pages))
    args = ["check", "--format", "json", "--project", str(root)]
    first = json.loads(invoke(args).output)["findings"]
    assert {f["rule"] for f in first} == {"pinpoint-mismatch"}

    def unread(raw: bytes, suffix: str) -> object:
        raise AssertionError("read again")

    monkeypatch.setattr("briefgen.evidence.texts.pages_of", unread)
    section = root / SECTION
    section.write_text(section.read_text() + "\nTor relays are run by volunteers [@owen2015tor].\n")
    second = json.loads(invoke(args).output)["findings"]  # a new check, the PDF from the cache
    assert second == first
    monkeypatch.undo()
    monkeypatch.setenv("BRIEFGEN_NO_CACHE", "1")
    assert json.loads(invoke(args).output)["findings"] == first


def test_a_readme_in_sources_is_left_alone(project: Copy) -> None:
    root = probe(project, "Hidden services conceal servers [@owen2015tor].\n", ONLY_OWEN)
    (root / "sources/README.md").write_text("Notes on our sources, one file per key.\n")
    assert found(root, ("unknown-source", "source-file")) == []


def test_an_encrypted_pdf_is_an_error(project: Copy) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    root = probe(project, "Hidden services conceal servers [@owen2015tor].\n", {})
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf(root, ["Secret text."]))).pages:
        writer.add_page(page)
    writer.encrypt("a password")
    data = io.BytesIO()
    writer.write(data)
    (root / "sources/owen2015tor.pdf").write_bytes(data.getvalue())
    assert found(root, ("source-file",)) == [
        (
            "sources/owen2015tor.pdf", 1, 1, "source-file",
            "source text 'sources/owen2015tor.pdf' is encrypted: save a copy without a password",
        )
    ]  # fmt: skip


def test_a_sources_folder_that_links_out_is_refused(project: Copy, tmp_path: Path) -> None:
    root = probe(project, "Hidden services conceal 9,999 servers [@owen2015tor].\n", {})
    (root / "sources").rmdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "owen2015tor.md").write_text("9,999 servers", encoding="utf-8")
    os.symlink(outside, root / "sources")
    assert [f[3:] for f in found(root, ("source-file", "unsupported-figure"))] == [
        (
            "source-file",
            "source text 'sources/owen2015tor.md' is a link to a file outside the project: "
            "content must stay inside it",
        )
    ]
