"""Bad input gets a clear message; faults lose nothing; section text stays inside."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.bibliography import parse_bibliography
from briefgen.errors import BriefgenError
from briefgen.load import load_section
from tests.conftest import invoke


def add(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------- bad input


def test_unwritable_output_directory(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    add(root, "not-a-dir", "a file")
    result = invoke(
        ["build", "note", "-o", str(root / "not-a-dir" / "out"), "--project", str(root)]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"briefgen: cannot write to {root / 'not-a-dir' / 'out'}: Not a directory; choose "
        "another directory with -o\n"
    )


def test_non_ascii_and_spaced_file_names_get_a_suggestion(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    add(root, "briefs/sections/Café notes.md", "---\ntitle: T\n---\nX [@owen2015tor].\n")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "briefs/sections/Café notes.md:1:1: error section-file: file name 'Café notes.md' is "
        "not a valid section id: use lowercase letters, digits and '-' (rename it to "
        "'cafe-notes.md')"
    ) in result.stdout


def test_bibtex_junk_and_missing_key(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    bib = root / "references.bib"
    bib.write_text(bib.read_text() + "\n@ junk here\n\n@misc{, title = {No key}, year = 2000}\n")
    out = invoke(["check", "--project", str(root)]).stdout
    assert (
        "references.bib:14:1: error bib-parse-error: text starting with '@' is not an entry: "
        "write @type{key, field = {...}}" in out
    )
    assert (
        "references.bib:16:1: error bib-parse-error: entry has no key: write @type{key, ...}" in out
    )


def test_brief_yaml_syntax_error(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    add(root, "briefs/broken.yaml", "title: T\naudience: ministers\nsections: [a, b\n")
    out = invoke(["check", "--project", str(root)]).stdout
    assert (
        "briefs/broken.yaml:4:1: error brief-file: YAML syntax error: while parsing a flow "
        "sequence, expected ',' or ']', but got '<stream end>'"
    ) in out


def test_project_with_nothing_in_it(tmp_path: Path) -> None:
    add(tmp_path, "briefgen.yaml", "csl: ieee\n")
    add(tmp_path, "references.bib", "")
    check = invoke(["check", "--project", str(tmp_path)])
    assert check.exit_code == 0
    assert check.stdout == "0 sections, 0 claims (0 cited, 0 uncited): 0 errors, 0 warnings\n"
    build = invoke(["build", "--all", "--project", str(tmp_path)])
    assert build.exit_code == 2
    assert build.stderr == (
        f"briefgen: no briefs in {tmp_path.resolve() / 'briefs'}: add one with "
        "'briefgen new brief NAME'\n"
    )


def test_a_five_megabyte_section_is_refused_with_what_to_do(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    paragraph = "A claim about cross-border requests stands here [@owen2015tor]. " * 20 + "\n\n"
    body = paragraph * (5 * 2**20 // len(paragraph) + 1)
    add(root, "briefs/sections/huge.md", "---\ntitle: Huge\n---\n\n" + body)
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "briefs/sections/huge.md:1:1: error section-file: section is 5.0 MB, over the 1 MB "
        "a section may hold: split it into several sections" in result.stdout
    )
    (root / "briefs/note.yaml").write_text(
        (root / "briefs/note.yaml").read_text() + "  - huge\n", encoding="utf-8"
    )
    build = invoke(["build", "note", "--project", str(root)])
    assert build.exit_code == 1
    assert not (root / "build").exists()


def test_ten_thousand_footnotes(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    claims = "".join(f"Claim {i} stands here.[^{i}]\n\n" for i in range(10_000))
    notes = "".join(f"[^{i}]: Source [@owen2015tor].\n" for i in range(10_000))
    add(root, "briefs/sections/notes.md", "---\ntitle: Notes\n---\n\n" + claims + notes)
    doc = json.loads(invoke(["check", "--project", str(root), "--format", "json"]).stdout)
    assert doc["summary"]["claims"] == 6 + 20_000
    assert doc["summary"]["uncited"] == 0


# ----------------------------------------------------------------- containment


def test_images_cannot_pull_in_files_from_outside(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs/sections/anonymity.md"
    section.write_text(
        section.read_text()
        + "\n![x](/etc/passwd) [@owen2015tor]\n\n![y](../../../etc/passwd) [@owen2015tor]\n"
    )
    for extra in ([], ["--draft"]):
        result = invoke(["build", "note", "--to", "docx,html", "--project", str(root), *extra])
        assert result.exit_code == 1
        assert (
            "briefs/sections/anonymity.md:18:6: error raw-content: image '/etc/passwd' is not "
            "allowed in sections: give the path of an image file inside the project, relative "
            "to it (images/figure.png)"
        ) in result.stderr
        assert (
            "briefs/sections/anonymity.md:20:6: error raw-content: image '../../../etc/passwd' "
            "is outside the project: keep images inside it and give their path relative to it "
            "(images/figure.png)"
        ) in result.stderr
        assert "root:x:0:0" not in result.output
    assert not (root / "build").exists() or not any((root / "build").iterdir())


def test_raw_content_is_refused_unless_allowed(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs/sections/anonymity.md"
    section.write_text(
        section.read_text()
        + '\n```{=typst}\n#read("/etc/passwd")\n```\n\nX <b>y</b> [@owen2015tor].\n'
    )
    out = invoke(["check", "--project", str(root)]).stdout
    assert (
        "briefs/sections/anonymity.md:19:1: error raw-content: raw typst is not allowed in "
        "sections: write pandoc Markdown, or set allow_raw: true in briefgen.yaml"
    ) in out
    assert "briefs/sections/anonymity.md:22:3: error raw-content: raw html" in out
    config = root / "briefgen.yaml"
    config.write_text(config.read_text() + "allow_raw: true\n")
    assert invoke(["check", "--project", str(root)]).exit_code == 0
    result = invoke(["build", "note", "--to", "pdf", "--project", str(root)])
    assert result.exit_code == 1  # typst's root is the project: /etc/passwd is outside
    assert "typst failed" in result.stderr
    assert not list(root.glob("build/*.pdf"))


def test_jinja_syntax_in_a_section_is_printed_literally(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    section = root / "briefs/sections/anonymity.md"
    section.write_text(
        section.read_text() + "\nThe string {{ 7*7 }} stays {% raw %} [@owen2015tor].\n"
    )
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0, result.output
    html = (root / "build/note.html").read_text()
    assert "The string {{ 7*7 }} stays {% raw %}" in html


# ----------------------------------------------------------------- faults


def build_process(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "briefgen", "build", "note", "--project", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_build_keeps_previous_outputs_and_leaves_no_temporaries(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    assert invoke(["build", "note", "--project", str(root)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in (root / "build").iterdir()}
    section = root / "briefs/sections/anonymity.md"
    section.write_text(section.read_text() + "\nA changed claim [@owen2015tor].\n")
    for sig, delay in ((signal.SIGKILL, 0.4), (signal.SIGINT, 0.6), (signal.SIGKILL, 1.0)):
        proc = build_process(root)
        time.sleep(delay)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        for name, data in before.items():  # each output is the old one or a complete new one
            current = (root / "build" / name).read_bytes()
            if current != data and name.endswith(".pdf"):
                assert len(pypdf.PdfReader(root / "build" / name).pages) >= 1
    # a leftover from a writer that died is removed by the next build
    (root / "build" / ".note.pdf.999999.abcd.tmp").write_bytes(b"half")
    assert invoke(["build", "note", "--project", str(root)]).exit_code == 0
    assert sorted(p.name for p in (root / "build").iterdir()) == sorted(before)


def test_two_builds_at_once_do_not_corrupt_each_other(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    procs = [build_process(root) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert len(pypdf.PdfReader(root / "build/note.pdf").pages) >= 2
    json.loads((root / "build/note.manifest.json").read_text())
    assert not list((root / "build").glob(".*.tmp"))


def test_verify(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    assert invoke(["build", "note", "--to", "html", "--project", str(root)]).exit_code == 0
    output = str(root / "build/note.html")
    ok = invoke(["verify", output, "--project", str(root)])
    assert (ok.exit_code, ok.stdout) == (0, f"{output}: matches its inputs\n")
    section = root / "briefs/sections/cooperation.md"
    section.write_text(section.read_text() + "\n")
    stale = invoke(["verify", output, "--project", str(root)])
    assert stale.exit_code == 1
    assert stale.stdout == (
        f"{output}: out of date\n  briefs/sections/cooperation.md changed since the build\n"
    )


# ----------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
bibtex = st.text(
    alphabet=st.sampled_from(list("@{}=,\"' \n%#abcdefmisc0123titleyear")), max_size=200
)
front = st.text(
    alphabet=st.sampled_from(list("-:{}[]\n #title:summary:marking>|'\"abc\t")), max_size=200
)


@FUZZ
@given(bibtex)
def test_bibliography_loader_never_crashes(text: str) -> None:
    try:
        bib = parse_bibliography(text, Path("references.bib"), "references.bib")
    except BriefgenError:
        return
    for finding in bib.findings:
        assert finding.line >= 1


@FUZZ
@given(front)
def test_section_loader_never_crashes(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.getbasetemp()
    path = root / "fuzz.md"
    path.write_text("---\n" + text + "\n---\nBody.\n", encoding="utf-8")
    with contextlib.suppress(BriefgenError):
        load_section(path, root, ["ministers"])


def test_a_brief_with_a_broken_section_is_refused_not_built_without_it(project) -> None:  # type: ignore[no-untyped-def]
    root = project("basic")
    add(root, "briefs/sections/anonymity.md", "---\ntitle: [unclosed\n---\nBody.\n")
    result = invoke(["check", "note", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "briefs/sections/anonymity.md:3:1: error front-matter: YAML syntax error" in result.stdout
    )
    assert invoke(["build", "note", "--project", str(root)]).exit_code == 1
    assert not (root / "build").exists()
