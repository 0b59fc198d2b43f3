"""Issue 14 item 5: a file with CRLF or CR line endings, or a leading byte-order mark, is
read exactly like the same file with LF endings (findings, lines, columns, claim ledger,
rendered output)."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.files import decode_text, line_of_byte
from tests.conftest import invoke

ENDINGS: dict[str, Callable[[str], str]] = {
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "cr": lambda text: text.replace("\n", "\r"),
    "bom": lambda text: "\ufeff" + text,
    "bom-crlf": lambda text: "\ufeff" + text.replace("\n", "\r\n"),
}

CONFIG = """\
bibliography: references.bib
csl: ieee
audiences:
  ministers:
    label: Ministers
    max_marking: TLP:GREEN
terminology:
  - avoid: child pornography
    prefer: child sexual abuse material (CSAM)
"""
BIB = """\
@misc{alpha2020,
  author = {A. Author},
  title = {Alpha},
  year = {2020},
}

@misc{beta2021,
  author = {B. Author},
  title = {Beta},
  year = {2021},
}
"""
BRIEF = "title: Note\naudience: ministers\nsections:\n  - {name}\n"

# The section formerly refused as "missing front matter" when saved with CRLF endings.
SECTION = """\
---
title: Encryption
summary: >-
  Providers no longer see the content of messages [@alpha2020].
marking: TLP:CLEAR
---

End-to-end encryption hides content from providers [@alpha2020, p. 4].
Offenders share child
pornography across borders [@beta2021].

A second paragraph cites a key that is not there [@gamma2022].
"""


def write_project(root: Path, sections: dict[str, str], encode: Callable[[str], str]) -> Path:
    """A project whose every file (config, bibliography, briefs, sections) is ``encode``d."""
    (root / "briefs" / "sections").mkdir(parents=True)
    files = {"briefgen.yaml": CONFIG, "references.bib": BIB}
    for name, text in sections.items():
        files[f"briefs/sections/{name}.md"] = text
        files[f"briefs/{name}.yaml"] = BRIEF.format(name=name)
    for rel, text in files.items():
        (root / rel).write_bytes(encode(text).encode("utf-8"))
    return root


def check_json(root: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = invoke(["check", "--format", "json", *args, "--project", str(root)])
    return result.exit_code, json.loads(result.stdout)


def test_a_crlf_section_is_checked_not_refused(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"encryption": SECTION}, ENDINGS["crlf"])
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "front-matter" not in result.stdout
    assert (
        "briefs/sections/encryption.md:9:17: warning terminology: 'child pornography' is "
        "discouraged: use 'child sexual abuse material (CSAM)'"
    ) in result.stdout
    assert (
        "briefs/sections/encryption.md:12:51: error unknown-key: unknown citation key "
        "'gamma2022': add the entry to the bibliography or correct the key"
    ) in lines
    assert lines[-1] == "1 section, 4 claims (3 cited, 0 uncited): 1 error, 1 warning"


def test_every_ending_checks_like_lf_with_the_same_ledger(tmp_path: Path) -> None:
    lf = write_project(tmp_path / "lf", {"encryption": SECTION}, lambda text: text)
    expected = check_json(lf)
    ledger = invoke(["claims", "--format", "json", "--project", str(lf)]).stdout
    assert expected[0] == 1 and expected[1]["findings"]
    for name, encode in ENDINGS.items():
        root = write_project(tmp_path / name, {"encryption": SECTION}, encode)
        assert check_json(root) == expected, name
        assert check_json(root, "encryption") == check_json(lf, "encryption"), name
        claims = invoke(["claims", "--format", "json", "--project", str(root)])
        assert claims.stdout == ledger, name


def test_front_matter_problems_keep_their_lines(tmp_path: Path) -> None:
    broken = SECTION.replace("marking: TLP:CLEAR", "markin: TLP:CLEAR")
    lf = write_project(tmp_path / "lf", {"encryption": broken}, lambda text: text)
    crlf = write_project(tmp_path / "crlf", {"encryption": broken}, ENDINGS["crlf"])
    expected = (
        "briefs/sections/encryption.md:5:1: error front-matter: unknown field 'markin' "
        "(did you mean 'marking'?)"
    )
    for root in (lf, crlf):
        assert expected in invoke(["check", "--project", str(root)]).stdout.splitlines()


def test_a_cached_scan_serves_every_ending_and_an_edit_is_seen(tmp_path: Path) -> None:
    """The scan cache keys on the text every stage reads (LF), the check snapshot on the
    files' bytes: a file saved again with other endings reuses the scan, and an edit in a
    CRLF file is never answered from the cache."""
    root = write_project(tmp_path, {"encryption": SECTION}, ENDINGS["crlf"])
    first = check_json(root)
    path = root / "briefs" / "sections" / "encryption.md"
    for encode in (ENDINGS["cr"], lambda text: text, ENDINGS["crlf"]):
        path.write_bytes(encode(SECTION).encode("utf-8"))
        assert check_json(root) == first
    edited = SECTION.replace("[@gamma2022]", "[@beta2021]")
    path.write_bytes(ENDINGS["crlf"](edited).encode("utf-8"))
    code, report = check_json(root)
    assert code == 0
    assert [f["rule"] for f in report["findings"]] == ["terminology"]  # type: ignore[index]


def test_a_crlf_project_renders_the_same_html(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every input (sections, brief, settings, and a bibliography with a byte-order mark,
    which the build's cut-down bibliography once lost its first entry to) in CRLF."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795392000")
    section = SECTION.replace(" [@gamma2022]", " [@alpha2020]")
    outputs = []
    for name, encode in (("lf", lambda text: text), ("crlf", ENDINGS["bom-crlf"])):
        root = write_project(tmp_path / name, {"encryption": section}, encode)
        result = invoke(["build", "encryption", "--to", "html", "--project", str(root)])
        assert result.exit_code == 0, result.output
        outputs.append((root / "build" / "encryption.html").read_bytes())
    assert outputs[0] == outputs[1]
    assert b"Alpha" in outputs[0] and b"Beta" in outputs[0]


def test_decoding_normalises_endings_and_counts_lines_alike() -> None:
    assert decode_text(b"\xef\xbb\xbfa\r\nb\rc\n\r\n") == "a\nb\nc\n\n"
    assert decode_text("\ufeff\ufeffx".encode()) == "\ufeffx"  # only the leading mark goes
    for raw in (b"a\nb\nc\xff", b"a\r\nb\r\nc\xff", b"a\rb\rc\xff"):
        assert line_of_byte(raw, raw.index(b"\xff")) == 3


def test_not_utf8_names_the_same_line_whatever_the_endings(tmp_path: Path) -> None:
    for name, ending in (("lf", b"\n"), ("cr", b"\r"), ("crlf", b"\r\n")):
        root = write_project(tmp_path / name, {}, lambda text: text)
        raw = ending.join([b"---", b"title: T", b"---", b"", b"Caf\xe9 [@alpha2020].", b""])
        (root / "briefs" / "sections" / "bad.md").write_bytes(raw)
        result = invoke(["check", "--project", str(root)])
        assert (
            "briefs/sections/bad.md:5:1: error section-file: not UTF-8 text (byte 0xe9 at "
            "line 5); save the file as UTF-8"
        ) in result.stdout.splitlines(), name


# --------------------------------------------------------------------------- property

WORDS = ["offenders", "networks", "evidence", "providers", "courts", "data", "share", "hold"]
KEYS = ["alpha2020", "beta2021", "gamma2022"]  # gamma2022 is not in the bibliography

sentence = st.tuples(
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=6),
    st.sampled_from(
        ["", " [@alpha2020]", " [@beta2021, p. 3]", " [@gamma2022]", " [@alpha2020; @beta2021]"]
    ),
).map(lambda p: p[0][0].capitalize() + " " + " ".join(p[0][1:]) + p[1] + ".")
paragraph = st.lists(sentence, min_size=1, max_size=3).flatmap(
    lambda ss: st.sampled_from([" ", "\n"]).map(lambda sep: sep.join(ss))
)
summary = st.one_of(st.none(), sentence)
sections = st.tuples(summary, st.lists(paragraph, min_size=1, max_size=3)).map(
    lambda p: (
        "---\ntitle: T\n"
        + (f"summary: >-\n  {p[0]}\n" if p[0] else "")
        + "---\n\n"
        + "\n\n".join(p[1])
        + "\n"
    )
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections)
def test_line_endings_never_change_what_a_check_finds(text: str) -> None:
    """One project holds the section as LF, CRLF, CR and with a BOM: all checked in one run,
    each file's findings are the LF file's."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = {"lf": lambda t: t} | ENDINGS
        write_project(root, {}, lambda t: t)
        for name, encode in names.items():
            path = root / "briefs" / "sections" / f"{name}.md"
            path.write_bytes(encode(text).encode("utf-8"))
        _, report = check_json(root)
        by_file: dict[str, list[tuple[object, ...]]] = {name: [] for name in names}
        for f in report["findings"]:  # type: ignore[attr-defined]
            if f["file"].startswith("briefs/sections/"):
                name = f["file"].removeprefix("briefs/sections/").removesuffix(".md")
                by_file[name].append((f["line"], f["column"], f["rule"], f["message"], f["text"]))
        for name in ENDINGS:
            assert by_file[name] == by_file["lf"], name
        shutil.rmtree(root / ".briefgen-cache", ignore_errors=True)
