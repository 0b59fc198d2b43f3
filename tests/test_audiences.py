"""Audiences and TLP markings: filtering, ceilings, budgets, reading level, stamping."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pypdf

from briefgen.check import check
from briefgen.load import load_project
from tests.conftest import invoke


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(text, encoding="utf-8")


def findings(root: Path) -> list[str]:
    return [f"{f.file}:{f.line}: {f.rule}: {f.message}" for f in check(load_project(root)).findings]


def test_audience_block_marking_raises_the_brief_marking_only_where_kept(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    write(root, "briefs/tech.yaml", "title: T\naudience: investigators\nsections: [cooperation]\n")
    stats = check(load_project(root)).briefs
    assert stats["tech"].marking == "TLP:AMBER"  # the investigators-only AMBER block
    assert stats["note"].marking == "TLP:CLEAR"  # dropped for ministers


def test_marking_above_the_ceiling_names_what_is_responsible(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs/sections/anonymity.md"
    section.write_text(
        section.read_text().replace("marking: TLP:CLEAR", "marking: TLP:AMBER"), encoding="utf-8"
    )
    assert findings(root) == [
        "briefs/note.yaml:3: marking-exceeds-audience: brief is TLP:AMBER but audience "
        "'ministers' is cleared to TLP:GREEN: briefs/sections/anonymity.md above the ceiling; "
        "take that text out of the brief, or brief an audience cleared for it"
    ]
    result = invoke(["build", "note", "--project", str(root)])
    assert result.exit_code == 1
    assert not (root / "build").exists()


def test_unknown_audiences_everywhere_with_suggestions(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    write(
        root,
        "briefs/sections/extra.md",
        "---\ntitle: X\naudiences: [minister]\n---\n\n"
        '::: {.audience only="investigator"}\nA claim [@owen2015tor].\n:::\n\n'
        '::: {.audience except="ministers publc"}\nA claim [@owen2015tor].\n:::\n',
    )
    assert findings(root) == [
        "briefs/sections/extra.md:1: orphan-section: section 'extra' is in no brief, so no "
        "reader sees it: add it to a brief's sections: (briefs/note.yaml)",
        "briefs/sections/extra.md:3: unknown-audience: unknown audience 'minister' (did you "
        "mean 'ministers'?): define it under audiences: in briefgen.yaml",
        "briefs/sections/extra.md:6: unknown-audience: unknown audience 'investigator' (did "
        "you mean 'investigators'?): define it under audiences: in briefgen.yaml",
        "briefs/sections/extra.md:10: unknown-audience: unknown audience 'publc': define it "
        "under audiences: in briefgen.yaml",
    ]


def test_section_not_for_the_audience(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs/sections/cooperation.md"
    section.write_text(
        section.read_text().replace(
            "marking: TLP:CLEAR", "marking: TLP:CLEAR\naudiences: [investigators]"
        ),
        encoding="utf-8",
    )
    assert findings(root) == [
        "briefs/note.yaml:9: audience-excluded: section 'cooperation' is not for audience "
        "'ministers' (its audiences: investigators): remove it from the brief or add the "
        "audience to the section's front matter"
    ]


def test_word_budget_and_reading_level(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    config = root / "briefgen.yaml"
    config.write_text(
        config.read_text().replace("word_budget: 1500", "word_budget: 20\n    reading_level: 5"),
        encoding="utf-8",
    )
    result = check(load_project(root))
    messages = [f.message for f in result.findings]
    assert messages == [
        "brief has 38 words, over the 20-word budget for 'ministers'; largest sections: "
        "anonymity (23), cooperation (15): shorten them or leave one out",
        "brief reads at Flesch-Kincaid grade 7.4, above the 5 set for 'ministers': shorten "
        "sentences and prefer plain words",
    ]
    assert {f.severity for f in result.findings} == {"warning"}
    doc = json.loads(invoke(["check", "--project", str(root), "--format", "json"]).stdout)
    assert doc["briefs"]["note"]["words"] == 38
    assert doc["briefs"]["note"]["reading_grade"] == 7.4


def test_amber_marking_on_every_page_of_pdf_and_docx(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    write(
        root,
        "briefs/tech.yaml",
        "title: Tech annex\naudience: investigators\nsections: [anonymity, cooperation]\n",
    )
    result = invoke(["build", "tech", "--to", "pdf,docx", "--project", str(root)])
    assert result.exit_code == 0, result.output
    pages = pypdf.PdfReader(root / "build/tech.pdf").pages
    assert len(pages) >= 2
    for page in pages:
        text = page.extract_text()
        assert text.count("TLP:AMBER") >= 2  # header and footer
    document = docx.Document(str(root / "build/tech.docx"))
    for section in document.sections:
        assert "TLP:AMBER" in section.header.paragraphs[0].text
        assert "TLP:AMBER" in section.footer.paragraphs[0].text
    header_xml = section.header._element.xml
    assert 'w:color w:val="FFC000"' in header_xml  # TLP amber on black
    assert "expedited preservation" in "\n".join(p.text for p in document.paragraphs)


def test_list_shows_briefs_and_stale_sections(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    config = root / "briefgen.yaml"
    config.write_text(config.read_text() + "stale_after_days: 1\n", encoding="utf-8")
    data = json.loads(invoke(["list", "--project", str(root), "--format", "json"]).stdout)
    assert [b["name"] for b in data["briefs"]] == ["note"]
    assert data["briefs"][0]["marking"] == "TLP:CLEAR"
    assert {s["id"]: s["stale"] for s in data["sections"]} == {
        "anonymity": True,
        "cooperation": True,
    }
    text = invoke(["list", "--project", str(root)]).stdout
    assert "2026-11-01 (stale)" in text
