"""briefgen serve in a real browser: Playwright for Python driving the system Chromium.

One server per module (a random free port, live updates on). Skips with the reason when
playwright, the serve extra or /usr/bin/chromium is missing. Screenshots for the README:
tools/serve_screenshots.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the serve extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("no browser: /usr/bin/chromium is not installed", allow_module_level=True)

from briefgen.settings import Settings  # noqa: E402
from briefgen.web.run import listen  # noqa: E402
from briefgen.web.server import Options, build_app  # noqa: E402
from briefgen.web.workspace import Workspace  # noqa: E402
from tests.conftest import copy_example  # noqa: E402

SECTION = "briefs/sections/mutual-legal-assistance.md"
PAGES = ["/", "/brief/ministers", "/brief/investigators", "/claims", "/refs"]


class Served:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.sock = listen("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        options = Options("127.0.0.1", self.port)
        app = build_app(Workspace(root, Settings()), options)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the watcher starts with the application
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = copy_example(tmp_path_factory.mktemp("browser"))
    with Served(root) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=str(CHROMIUM))
        except sync_api.Error as exc:
            pytest.skip(f"{CHROMIUM} does not start under Playwright: {exc.message[:200]}")
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_each_page_loads_without_console_errors(served: Served, page: Any, path: str) -> None:
    page.goto(served.url + path)
    page.wait_for_selector("main h1")
    page.wait_for_timeout(200)
    assert page.errors == []


def _axe() -> Any:
    return pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
    )


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_accessibility_violations(
    served: Served, page: Any, path: str
) -> None:
    page.goto(served.url + path)
    page.wait_for_selector("main h1")
    assert serious_violations(page) == []


def serious_violations(page: Any) -> list[tuple[str, str, int]]:
    """axe-core's serious and critical violations on the page: rule, impact, nodes."""
    results = _axe().Axe().run(page)
    return [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_an_uncited_sentence_appears_highlighted_without_a_reload(
    served: Served, page: Any
) -> None:
    page.goto(served.url + "/brief/ministers")
    page.wait_for_selector("main h1")
    page.evaluate("window.__same = true")
    path = served.root / SECTION
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\nThe browser saw this sentence arrive.\n", encoding="utf-8")
        mark = page.locator("span.uncited", has_text="The browser saw this sentence arrive.")
        mark.wait_for(timeout=15000)
        assert page.evaluate("window.__same") is True  # no reload
        assert "uncited-claim" in page.locator("aside.inline-findings").first.inner_text()
        in_text = page.locator('section[aria-labelledby="brief-findings"] a.in-text').first
        assert in_text.get_attribute("href") == "#" + mark.get_attribute("id")
        assert serious_violations(page) == []  # the page with findings shown, too
    finally:
        path.write_text(original, encoding="utf-8")
    page.locator("span.uncited").wait_for(state="detached", timeout=15000)


def test_a_lower_audience_loses_the_restricted_block_and_the_marking_falls(
    served: Served, page: Any
) -> None:
    page.goto(served.url + "/brief/investigators")
    banner = page.locator(".marking-banner").first
    assert banner.inner_text() == "TLP:AMBER"
    restricted = "Interpol"  # text of an investigators-only block is checked by count below
    before = page.locator("article.brief-body").inner_text()
    page.select_option("select[name=as]", "public")
    page.wait_for_url("**as=public**")
    assert page.locator(".marking-banner").first.inner_text() == "TLP:CLEAR"
    after = page.locator("article.brief-body").inner_text()
    assert len(after) < len(before)
    assert page.locator(".bg-withheld").count() == 0
    page.check("input[name=withheld]")
    page.wait_for_url("**withheld=show**")
    assert page.locator(".bg-withheld").count() > 0
    del restricted


def test_a_yaml_error_shows_as_a_finding_and_recovers(served: Served, page: Any) -> None:
    page.goto(served.url + "/")
    page.wait_for_selector("main h1")
    path = served.root / "briefgen.yaml"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\naudiences: [unclosed\n", encoding="utf-8")
        page.locator('li.finding[data-rule="error"]').wait_for(timeout=15000)
        assert "briefgen.yaml" in page.locator('li.finding[data-rule="error"]').inner_text()
    finally:
        path.write_text(original, encoding="utf-8")
    page.locator('li.finding[data-rule="error"]').wait_for(state="detached", timeout=15000)
    assert page.locator("table.briefs").count() == 1
    assert page.errors == []
