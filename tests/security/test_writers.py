"""Issue 15: the writers read only what briefgen allows, and project templates are code.

The DOCX/HTML writer (templates/outputs.lua) runs outside pandoc's --sandbox, so it reads
no file itself: briefgen lists the image files inside the project and the writer takes
images from that list only. A project's own templates (Lua, Jinja, Typst) are used only
when briefgen.yaml opts in, never for a build the check refuses, and Jinja runs sandboxed.
"""

from __future__ import annotations

import base64
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.assemble import assemble
from briefgen.errors import RenderError
from briefgen.load import load_project
from briefgen.render import render_office
from tests.conftest import invoke

Copy = Callable[[str], Path]
CANARY = b"CANARY-77d2 outside the project"
SECTION = "briefs/sections/cooperation.md"


def png(width: int = 4, height: int = 2) -> bytes:
    """A small valid PNG (red pixels)."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def add_to_section(root: Path, text: str) -> None:
    section = root / SECTION
    section.write_text(section.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def outputs_text(root: Path) -> bytes:
    """Every byte of every file under build/, DOCX members unpacked."""
    out = []
    for path in sorted((root / "build").iterdir()):
        data = path.read_bytes()
        out.append(data)
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as docx:
                out += [docx.read(name) for name in docx.namelist()]
    return b"\n".join(out)


# --------------------------------------------------------------------------- images


def test_an_image_inside_the_project_reaches_every_format(project: Copy) -> None:
    root = project("basic")
    (root / "images").mkdir()
    (root / "images/chart.png").write_bytes(png())
    add_to_section(root, "![Chart [@owen2015tor]](images/chart.png)")
    result = invoke(["build", "note", "--project", str(root)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(root / "build/note.docx") as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        assert [docx.read(n) for n in media] == [png()]
    # the HTML holds the image itself (a data: URI), so it can be mailed on its own
    embedded = "data:image/png;base64," + base64.b64encode(png()).decode("ascii")
    assert f'<img src="{embedded}"' in (root / "build/note.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("notes.txt", "image 'notes.txt' is not an image file: an image is a .gif, .jpeg, "),
        ("images/missing.png", "image 'images/missing.png' is not a file in the project: "),
    ],
)
def test_an_image_that_is_not_an_image_file_in_the_project_is_refused(
    project: Copy, src: str, message: str
) -> None:
    root = project("basic")
    (root / "notes.txt").write_text("not an image", encoding="utf-8")
    add_to_section(root, f"![Chart [@owen2015tor]]({src})")
    result = invoke(["build", "note", "--to", "docx", "--project", str(root)])
    assert result.exit_code == 1
    assert f"{SECTION}:" in result.stdout + result.stderr
    assert f"error raw-content: {message}" in result.stdout + result.stderr
    assert not (root / "build/note.docx").exists()


@pytest.mark.parametrize(
    "src",
    ["{outside}/secret.png", "../outside/secret.png", "file://{outside}/secret.png", "link.png"],
)
def test_the_writer_reads_no_image_from_outside_even_past_the_check(
    project: Copy, tmp_path: Path, src: str
) -> None:
    """Defence in depth: rendering a document the check never saw (as a bug in the check
    would let through) still embeds no file from outside the project."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(png() + CANARY)
    root = project("basic")
    (root / "link.png").symlink_to(outside / "secret.png")
    src = src.format(outside=outside)
    add_to_section(root, f"![Chart [@owen2015tor]]({src})")
    proj = load_project(root)
    assembled = assemble(proj, proj.briefs["note"], "TLP:CLEAR")
    with pytest.raises(RenderError) as caught:
        render_office(proj, assembled, ["docx", "html"])
    assert f"image '{src}' is not an image file inside the project" in str(caught.value)
    assert CANARY.decode() not in str(caught.value)


# --------------------------------------------------------------------------- templates

LUA_MARKER = "lua-ran.txt"


def project_templates(root: Path, opt_in: bool) -> Path:
    """A project templates/ with an HTML template that marks its output and a Lua filter
    that writes a file when it runs (templates are code)."""
    templates = root / "templates"
    templates.mkdir()
    default = Path(__file__).resolve().parents[2] / "templates"
    html = (default / "brief.html").read_text(encoding="utf-8")
    (templates / "brief.html").write_text(
        html.replace("<body", "<!-- PROJECT TEMPLATE --><body", 1), encoding="utf-8"
    )
    audience = (default / "audience.lua").read_text(encoding="utf-8")
    marker = (root / LUA_MARKER).as_posix()
    (templates / "audience.lua").write_text(
        f'io.open("{marker}", "w"):close()\n' + audience, encoding="utf-8"
    )
    if opt_in:
        config = root / "briefgen.yaml"
        config.write_text(
            config.read_text(encoding="utf-8") + "templates: templates/\n", encoding="utf-8"
        )
    return templates


def test_project_templates_are_not_used_unless_briefgen_yaml_opts_in(project: Copy) -> None:
    root = project("basic")
    project_templates(root, opt_in=False)
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0
    assert (
        "briefgen.yaml:1:1: warning templates-not-used: templates/ is not used: project "
        "templates are code, used only when briefgen.yaml opts in: add 'templates: templates/' "
        "if the team trusts them"
    ) in result.stderr
    assert "PROJECT TEMPLATE" not in (root / "build/note.html").read_text("utf-8")
    assert not (root / LUA_MARKER).exists()


def test_project_templates_are_used_when_briefgen_yaml_opts_in(project: Copy) -> None:
    root = project("basic")
    project_templates(root, opt_in=True)
    assert invoke(["build", "note", "--to", "html", "--project", str(root)]).exit_code == 0
    assert "PROJECT TEMPLATE" in (root / "build/note.html").read_text("utf-8")
    assert (root / LUA_MARKER).exists()


def test_no_project_templates_renders_with_briefgens_own(project: Copy) -> None:
    root = project("basic")
    project_templates(root, opt_in=True)
    args = ["build", "note", "--to", "html", "--no-project-templates", "--project", str(root)]
    assert invoke(args).exit_code == 0
    assert "PROJECT TEMPLATE" not in (root / "build/note.html").read_text("utf-8")
    assert not (root / LUA_MARKER).exists()


def test_project_templates_never_run_for_a_build_the_check_refuses(project: Copy) -> None:
    root = project("basic")
    project_templates(root, opt_in=True)
    add_to_section(root, "An uncited claim about the networks.")
    result = invoke(["build", "note", "--project", str(root)])
    assert result.exit_code == 1
    assert "error uncited-claim" in result.stdout + result.stderr
    assert not (root / LUA_MARKER).exists()
    assert not (root / "build").exists()


def test_a_jinja_frame_cannot_reach_pythons_internals(project: Copy) -> None:
    root = project("basic")
    templates = project_templates(root, opt_in=True)
    for look in ("paper", "ministerial"):
        (templates / f"{look}.md.j2").write_text(
            "{{ ''.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8"
        )
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "briefgen: paper.md.j2: template error: access to attribute '__class__' of "
        "'str' object is unsafe."
    )


def test_a_project_template_linked_outside_is_refused(project: Copy, tmp_path: Path) -> None:
    root = project("basic")
    templates = project_templates(root, opt_in=True)
    (tmp_path / "evil.html").write_text("<html>EVIL</html>", encoding="utf-8")
    (templates / "brief.html").unlink()
    (templates / "brief.html").symlink_to(tmp_path / "evil.html")
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "briefgen: templates/brief.html: is a link to a file outside the project: templates "
        "must stay inside it"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("../elsewhere", "templates '../elsewhere' is outside the project: keep them inside"),
        ("nothere/", "templates 'nothere/' is not a directory in the project"),
        ("[a, b]", "templates must be a directory name, such as templates/"),
    ],
)
def test_a_templates_setting_that_is_not_a_project_directory_is_an_error(
    project: Copy, value: str, message: str
) -> None:
    root = project("basic")
    (root.parent / "elsewhere").mkdir()
    config = root / "briefgen.yaml"
    lines = len(config.read_text(encoding="utf-8").splitlines())
    config.write_text(
        config.read_text(encoding="utf-8") + f"templates: {value}\n", encoding="utf-8"
    )
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"briefgen: briefgen.yaml:{lines + 1}: {message}"


# --------------------------------------------------------------------------- HTML sanitiser


def test_the_html_body_is_sanitised_even_where_allow_raw_lets_raw_html_in(
    project: Copy,
) -> None:
    root = project("basic")
    config = root / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "allow_raw: true\n", encoding="utf-8")
    add_to_section(
        root,
        '<script>alert("x")</script>\n\n<iframe src="https://example.org"></iframe>\n\n'
        '<p>Raw prose <b>kept</b> [@owen2015tor].</p>\n',
    )
    result = invoke(["build", "note", "--to", "html", "--project", str(root)])
    assert result.exit_code == 0, result.output
    html = (root / "build/note.html").read_text(encoding="utf-8")
    body = html[html.index("<body") :]
    assert "<script" not in body and "alert(" not in body and "<iframe" not in body
    assert "<b>kept</b>" in body
    assert "<style>" in html[: html.index("<body")]  # the template's head is left alone


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="JAVASCRIPT:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="data:text/html,x">x</a>', "<a>x</a>"),
        ('<a href="#sec-1" onclick="x()">x</a>', '<a href="#sec-1">x</a>'),
        ('<a href="https://example.org">x</a>', '<a href="https://example.org">x</a>'),
        ('<span style="position:fixed;width:10px">x</span>', "<span>x</span>"),
        ('<td style="text-align: left;background:url(x)">x</td>', ""),
        ('<img src="images/a.png" onerror="alert(1)" alt="a">', '<img src="images/a.png" alt="a">'),
        ('<div class="judgment" data-x="1" aria-label="l">x</div>',
         '<div class="judgment" data-x="1" aria-label="l">x</div>'),
        ("<svg><script>alert(1)</script></svg>", ""),
        ("<!-- a comment -->text", "text"),
    ],
)
def test_the_sanitiser_keeps_prose_and_drops_code(raw: str, clean: str) -> None:
    from briefgen.safety import sanitise_html

    document = f"<html><head><title>t</title></head><body>{raw}</body></html>".encode()
    body = sanitise_html(document).decode()
    body = body[body.index("<body>") + 6 : body.index("</body>")]
    if raw.startswith("<td"):  # a cell outside a table is dropped whole; its style with it
        assert "background" not in body
    else:
        assert body == clean


def test_a_metadata_block_past_the_check_cannot_change_audience_or_marking(
    project: Copy,
) -> None:
    """Defence in depth: the audience, marking and look reach pandoc on its command line,
    which outranks a metadata block in the document, should one slip past the check."""
    root = project("basic")
    add_to_section(
        root,
        "---\nbriefgen-audience: investigators\nmarking: TLP:RED\nlook: paper\n---\n\n"
        '::: {.audience only="investigators" marking="TLP:AMBER"}\n'
        "RESTRICTED-91c3 for investigators [@owen2015tor].\n:::",
    )
    proj = load_project(root)
    assembled = assemble(proj, proj.briefs["note"], "TLP:GREEN")
    html = render_office(proj, assembled, ["html"])["html"].decode("utf-8")
    assert "RESTRICTED-91c3" not in html
    assert "TLP:GREEN" in html and "TLP:RED" not in html


def test_a_copy_of_briefgens_own_templates_is_not_reported(project: Copy) -> None:
    """Unchanged copies override nothing (briefgen's own repository is such a project when
    installed without -e): no templates-not-used warning."""
    root = project("basic")
    default = Path(__file__).resolve().parents[2] / "templates"
    shutil.copytree(default, root / "templates")
    result = invoke(["check", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "templates-not-used" not in result.output
