"""briefgen serve through Starlette's TestClient: pages, the Host guard, what may be served,
the build token, sanitising, error states, the editor link, the CLI command."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
pytest.importorskip("httpx", reason="httpx (Starlette's TestClient) is not installed")

from starlette.testclient import TestClient

from briefgen.settings import Settings
from briefgen.web.events import Broadcast
from briefgen.web.preview import Reader
from briefgen.web.server import Options, build_app, editor_link
from briefgen.web.workspace import Problem, Workspace
from tests.conftest import copy_example, invoke

HOST, PORT = "127.0.0.1", 8123
BASE = f"http://{HOST}:{PORT}"
UNCITED = "Nobody has measured how often requests are simply lost in transit."
SECTION = "briefs/sections/mutual-legal-assistance.md"


def client_for(root: Path, editor_url: str | None = None) -> tuple[TestClient, Options]:
    options = Options(HOST, PORT, editor_url)
    app = build_app(Workspace(root, Settings()), options, watch=False)
    return TestClient(app, base_url=BASE), options  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("serve"))
    with (root / SECTION).open("a", encoding="utf-8") as f:
        f.write(f"\n{UNCITED}\n")
    (root / "build").mkdir()
    (root / "build" / "ministers.html").write_text("<p>built</p>", encoding="utf-8")
    (root / "secret.txt").write_text("secret", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def served(root: Path) -> Iterator[tuple[TestClient, Options]]:
    client, options = client_for(root)
    with client:
        yield client, options


@pytest.fixture
def client(served: tuple[TestClient, Options]) -> TestClient:
    return served[0]


def test_home_lists_briefs_sections_and_findings(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    for name in ("investigators", "ministers", "prosecutors", "public"):
        assert f'href="/brief/{name}"' in html
    assert '<span class="tlp tlp-amber">TLP:AMBER</span>' in html
    assert "1411 / 1500" in html or "/ 1500" in html
    assert 'data-rule="uncited-claim"' in html
    assert f"{SECTION}:" in html
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_brief_highlights_its_uncited_sentence_and_links_the_finding(client: TestClient) -> None:
    html = client.get("/brief/ministers").text
    span = re.search(
        r'<span class="uncited" data-line="(\d+)" tabindex="0" id="u-[^"]+" title="([^"]*)"', html
    )
    assert span is not None
    line = span.group(1)
    assert f"({SECTION}:{line})" in span.group(2)
    assert "[UNCITED]" in html and "Nobody has measured" in html
    assert f"<code class=\"where\">{SECTION}:{line}</code>" in html
    assert '<div class="marking-banner"><span class="tlp tlp-clear">TLP:CLEAR</span>' in html
    assert "<strong>Assessment</strong>" in html  # judgment blocks are labelled


def test_switching_audience_removes_restricted_text_and_lowers_the_marking(
    client: TestClient,
) -> None:
    own = client.get("/brief/investigators").text
    assert "tlp-amber" in own.split("<h1>")[0]
    public = client.get("/brief/investigators?as=public").text
    assert "tlp-clear" in public.split("<h1>")[0] and "tlp-amber" not in public.split("<h1>")[0]
    assert len(public) < len(own)
    assert "bg-withheld" not in public
    shown = client.get("/brief/investigators?as=public&withheld=show").text
    assert 'class="bg-withheld"' in shown


def test_an_unknown_brief_or_audience_is_a_finding_not_an_error_page(client: TestClient) -> None:
    response = client.get("/brief/minsters")
    assert response.status_code == 200
    assert "unknown brief &#39;minsters&#39; (did you mean &#39;ministers&#39;?)" in response.text
    assert client.get("/brief/ministers?as=nobody").status_code == 200


def test_a_fragment_is_the_main_part_alone(client: TestClient) -> None:
    html = client.get("/claims?fragment=1").text
    assert "<html" not in html and 'id="ledger"' in html


def test_claims_and_refs_pages(client: TestClient) -> None:
    claims = client.get("/claims").text
    assert 'data-status="uncited"' in claims and "Nobody has measured" in claims
    refs = client.get("/refs").text
    assert "<code>europol2020iocta</code>" in refs or "entries;" in refs


@pytest.mark.parametrize(
    "host", ["evil.example:8123", "127.0.0.1:9999", "127.0.0.1", "", "localhost.evil:8123"]
)
def test_a_request_for_another_host_is_refused(root: Path, host: str) -> None:
    client, _ = client_for(root)
    headers = {"host": host} if host else {}
    with client:
        response = client.get("/", headers=headers)
        if not host:  # httpx always sends one: send none at the ASGI level
            response = client.get("/", headers={"host": ""})
    assert response.status_code == 403
    assert response.text.startswith("refused: Host ")


def test_localhost_on_the_bound_port_is_served(client: TestClient) -> None:
    assert client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/out/../secret.txt",
        "/out/%2e%2e/secret.txt",
        "/out/..%2fsecret.txt",
        "/out/%2e%2e%2fbriefgen.yaml",
        "/out/ministers.html/..",
        "/out/",
        "/out/link.html",
        "/out/linked/ministers.html",
        "/out/notes.txt",
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/static/..%2fserver.py",
        "/static/link.css",
        "/briefs/sections/overview.md",
        "/briefgen.yaml",
    ],
)
def test_nothing_outside_the_outputs_and_static_files_is_served(
    client: TestClient, root: Path, path: str
) -> None:
    outside = root.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "ministers.html").write_text("outside", encoding="utf-8")
    for link, target in (("link.html", root / "secret.txt"), ("linked", outside)):
        if not (root / "build" / link).is_symlink():
            (root / "build" / link).symlink_to(target)
    (root / "build" / "notes.txt").write_text("notes", encoding="utf-8")
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert "secret" not in response.text and "outside" not in response.text


def test_a_build_folder_that_is_a_link_out_of_the_project_is_not_served(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    root = copy_example(tmp_path / "p")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "ministers.html").write_text("from elsewhere", encoding="utf-8")
    (root / "build").symlink_to(elsewhere)
    client, _ = client_for(root)
    with client:
        assert client.get("/out/ministers.html").status_code == 404
        assert "Not built yet." in client.get("/brief/ministers").text


def test_a_hostile_brief_name_is_text(client: TestClient) -> None:
    response = client.get("/brief/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code in (200, 404)
    assert "<script>alert(1)" not in response.text
    page = client.get('/brief/ministers?as="><script>alert(2)</script>')
    assert "<script>alert(2)" not in page.text


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_a_sections_image_is_shown_and_only_project_images_are_served(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    (root / "figures").mkdir()
    (root / "figures" / "chart.png").write_bytes(PNG)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    outside.write_bytes(PNG)
    (root / "figures" / "linked.png").symlink_to(outside)
    with (root / SECTION).open("a", encoding="utf-8") as f:
        f.write("\n![Requests by year [@coe2022protocol]](figures/chart.png)\n")
    client, _ = client_for(root)
    with client:
        html = client.get("/brief/ministers").text
        assert '<img src="/media/figures/chart.png"' in html
        image = client.get("/media/figures/chart.png")
        assert image.status_code == 200 and image.content == PNG
        assert image.headers["content-security-policy"].startswith("sandbox")
        for path in ("figures/linked.png", "briefgen.yaml", "../x.png", "%2e%2e/x.png", ""):
            assert client.get(f"/media/{path}").status_code == 404, path


def test_outputs_and_static_files_are_served(client: TestClient) -> None:
    page = client.get("/out/ministers.html")
    assert page.status_code == 200 and page.text == "<p>built</p>"
    assert page.headers["content-security-policy"].startswith("sandbox;")
    assert client.get("/static/workspace.js").status_code == 200


def test_a_build_needs_this_runs_token_and_no_other_origin(
    served: tuple[TestClient, Options],
) -> None:
    client, options = served
    form = {"format": "html"}
    assert client.post("/build/ministers", data=form).status_code == 403
    assert client.post("/build/ministers", data={**form, "token": "x" * 43}).status_code == 403
    evil = {"origin": "http://evil.example"}
    with_token = {**form, "token": options.token}
    assert client.post("/build/ministers", data=with_token, headers=evil).status_code == 403
    assert client.get("/build/ministers").status_code == 405


@pytest.mark.parametrize("name", ["nobody", "..", "%2e%2e%2fbriefgen"])
def test_a_build_of_no_brief_is_refused(served: tuple[TestClient, Options], name: str) -> None:
    client, options = served
    data = {"format": "pdf", "token": options.token}
    response = client.post(f"/build/{name}", data=data, headers={"accept": "application/json"})
    assert response.status_code in (404, 405, 422)  # ".." is gone before routing
    if response.status_code == 422:
        assert response.json()["problems"][0]["message"].startswith("unknown brief")


def test_a_huge_or_odd_build_form_is_no_token(served: tuple[TestClient, Options]) -> None:
    client, options = served
    huge = {"format": "pdf", "token": options.token, "pad": "x" * 10_000}
    assert client.post("/build/ministers", data=huge).status_code == 403
    multipart = client.post(
        "/build/ministers", files={"token": (None, options.token), "format": (None, "pdf")}
    )
    assert multipart.status_code == 403


def test_a_build_with_the_token_is_refused_with_its_findings(
    served: tuple[TestClient, Options],
) -> None:
    client, options = served
    data = {"format": "html", "token": options.token}
    response = client.post("/build/ministers", data=data, headers={"accept": "application/json"})
    assert response.status_code == 422  # the uncited sentence refuses the build
    problems = response.json()["problems"]
    assert [p["rule"] for p in problems] == ["uncited-claim"]


def test_a_build_with_the_token_writes_the_output_and_links_it(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    client, options = client_for(root)
    data = {"format": "html", "token": options.token}
    json_please = {"accept": "application/json"}
    with client:
        response = client.post("/build/ministers", data=data, headers=json_please)
        assert response.status_code == 200
        assert response.json() == {"problems": [], "outputs": {"html": "ministers.html"}}
        assert 'href="/out/ministers.html"' in client.get("/brief/ministers").text
        assert "Not built yet." in client.get("/brief/public").text
        page = client.get("/out/ministers.html")
        assert page.status_code == 200 and "TLP:CLEAR" in page.text
        redirect = client.post("/build/ministers", data=data, follow_redirects=False)
        assert redirect.status_code == 303 and redirect.headers["location"] == "/brief/ministers"
    assert (root / "build" / "ministers.html").is_file()


def test_an_unknown_key_is_a_finding_and_listed_on_the_references_page(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    with (root / SECTION).open("a", encoding="utf-8") as f:
        f.write("\nA claim with a key nobody defined [@nosuchkey2020].\n")
    client, _ = client_for(root)
    with client:
        refs = client.get("/refs").text
        brief = client.get("/brief/ministers").text
    assert "Cited but not in the bibliography: <code>nosuchkey2020</code>" in refs
    assert 'data-rule="unknown-key"' in brief and 'data-text="@nosuchkey2020"' in brief


def test_content_cannot_put_script_into_the_page(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    hostile = (
        "\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) [@europol2020iocta]\n\n"
        '[text]{onclick="alert(3)"} <img src=x onerror="alert(4)"> [@europol2020iocta]\n'
    )
    with (root / SECTION).open("a", encoding="utf-8") as f:
        f.write(hostile)
    client, _ = client_for(root)
    with client:
        html = client.get("/brief/ministers").text
    body = html.split('<article class="brief-body"')[1]
    assert "<script" not in body and not re.search(r"\son[a-z]+\s*=", body)
    assert not re.search(r"""href=["']?javascript:""", body)
    assert "Nobody" not in body or "[UNCITED]" in body
    assert 'data-rule="raw-content"' in html


def test_a_broken_briefgen_yaml_is_a_finding_and_recovers(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    good = (root / "briefgen.yaml").read_text(encoding="utf-8")
    client, _ = client_for(root)
    with client:
        (root / "briefgen.yaml").write_text(good + "\naudiences: [unclosed\n", encoding="utf-8")
        for path in ("/", "/brief/ministers", "/claims", "/refs"):
            response = client.get(path)
            assert response.status_code == 200
            assert 'data-rule="error"' in response.text
            assert "briefgen.yaml" in response.text and "Traceback" not in response.text
        (root / "briefgen.yaml").write_text(good, encoding="utf-8")
        assert 'data-rule="error"' not in client.get("/").text


def test_a_broken_brief_file_shows_its_finding_not_unknown_brief(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    path = root / "briefs" / "ministers.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "title: [unclosed\n", encoding="utf-8")
    client, _ = client_for(root)
    with client:
        html = client.get("/brief/ministers").text
        assert 'data-rule="brief-file"' in html and "YAML syntax error" in html
        assert "unknown brief" not in html
        path.write_text(good, encoding="utf-8")
        assert 'data-rule="brief-file"' not in client.get("/brief/ministers").text


def test_file_line_links_to_the_editor_when_one_is_configured(root: Path) -> None:
    client, _ = client_for(root, "vscode://file/{path}:{line}:{column}")
    with client:
        html = client.get("/brief/ministers").text
    link = re.search(r'<a class="where" href="(vscode://file/[^"]+)">([^<]+)</a>', html)
    assert link is not None
    assert link.group(1).startswith(f"vscode://file/{root.as_posix()}/briefs/sections/")
    assert link.group(2).startswith("briefs/sections/")


def test_editor_link_quotes_the_path() -> None:
    problem = Problem("briefs/sections/a b.md", 3, 2, "uncited-claim", "error", "m")
    assert editor_link("x://{path}:{line}:{column}", Path("/p"), problem) == (
        "x:///p/briefs/sections/a%20b.md:3:2"
    )
    assert editor_link(None, Path("/p"), problem) is None


def _normal(html: str) -> str:
    """HTML up to the ids pandoc numbers blocks of footnotes with."""
    return re.sub(r"footnotes-\d+", "footnotes-N", re.sub(r"\s+", " ", html))


ADDITIONS = ["\nMore text, unsourced.\n", "\nMore text [@coe2022protocol].\n"]


@pytest.mark.parametrize("addition", ADDITIONS)
def test_an_edit_reads_only_the_edited_section_and_renders_as_a_full_render(
    tmp_path: Path, addition: str
) -> None:
    from briefgen import app
    from briefgen.web.preview import View, render

    root = copy_example(tmp_path)
    reader, settings = Reader(), Settings()
    project, _ = app.open_project(root, settings)
    view = View("investigators")
    render(reader, project, project.briefs["investigators"], view, [])
    reads, renders = reader.reads, reader.renders
    path = root / SECTION
    path.write_text(path.read_text(encoding="utf-8") + addition, encoding="utf-8")
    project, _ = app.open_project(root, settings)
    findings = list(app.check(root, ["investigators"], settings).findings)
    html = render(reader, project, project.briefs["investigators"], view, findings)
    assert reader.reads == reads + 1 and reader.renders == renders + 1
    assert "More text" in html
    whole = render(Reader(), project, project.briefs["investigators"], view, findings)
    assert _normal(html) == _normal(whole)


def test_citations_are_found_whole_with_the_spans_inside_them() -> None:
    from briefgen.web.preview import citations

    html = (
        '<p>a <span class="citation" data-cites="k">(<span class="nocase">X</span> '
        '<a href="#ref-k">2020</a>)</span> b <span class="citation" data-cites="j">[2]</span>'
        '<span class="uncited">c</span></p>'
    )
    assert citations(html) == [
        '<span class="citation" data-cites="k">(<span class="nocase">X</span> '
        '<a href="#ref-k">2020</a>)</span>',
        '<span class="citation" data-cites="j">[2]</span>',
    ]


def test_the_broadcast_tells_every_subscriber() -> None:
    class Request:
        async def is_disconnected(self) -> bool:
            return False

    async def scenario() -> list[Any]:
        broadcast = Broadcast()
        stream = broadcast.stream(Request())
        hello = await stream.__anext__()
        broadcast.publish(["briefs/sections/a.md"])
        change = await stream.__anext__()
        broadcast.close()
        rest = [m async for m in stream]
        return [hello, change, rest, len(broadcast.queues)]

    hello, change, rest, left = asyncio.run(scenario())
    assert hello["event"] == "hello"
    assert change["event"] == "change"
    assert json.loads(change["data"]) == {"generation": 1, "files": ["briefs/sections/a.md"]}
    assert rest == [] and left == 0


def test_serve_without_the_extra_names_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name)
    )
    root = copy_example(tmp_path)
    result = invoke(["serve", "--project", str(root)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "briefgen: briefgen serve needs the 'serve' extra (uvicorn not installed): "
        "pip install 'briefgen[serve]'"
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)//{path}", "https://x/{path}", "vscode://"])
def test_serve_refuses_an_editor_url_that_is_not_an_editors(tmp_path: Path, url: str) -> None:
    root = copy_example(tmp_path)
    result = invoke(["serve", "--project", str(root), "--editor-url", url])
    assert result.exit_code == 2
    assert "give an editor URL with {path}" in result.output


def test_serve_outside_a_project_says_so(tmp_path: Path) -> None:
    result = invoke(["serve", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "briefgen.yaml" in result.output


def test_serve_refuses_a_port_in_use(tmp_path: Path) -> None:
    from briefgen.web.run import listen

    root = copy_example(tmp_path)
    sock = listen("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        result = invoke(["serve", "--project", str(root), "--port", str(port)])
    finally:
        sock.close()
    assert result.exit_code == 2
    assert result.output.startswith(f"briefgen: cannot listen on 127.0.0.1:{port}: ")


def test_example_is_not_written_to(root: Path) -> None:
    assert not (root / "build" / "ministers.pdf").exists()
    shutil.rmtree(root / "build" / "linked", ignore_errors=True)
