"""Screenshots of the workspace for the README (docs/serve-home.png, docs/serve-brief.png).

    python tools/serve_screenshots.py [OUTDIR]

Copies the example project to a temporary directory, adds one uncited sentence, serves it
on a free loopback port and photographs the home page and the ministers brief with Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright
from tests.conftest import copy_example
from tests.test_serve_browser import CHROMIUM, Served


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_example(Path(tmp))
        path = root / "briefs" / "sections" / "encryption-anonymisation.md"
        uncited = "Most offenders never use encryption at all."
        text = path.read_text(encoding="utf-8")
        text = text.replace("\n---\n\n", f"\n---\n\n{uncited}\n\n", 1)  # after the front matter
        path.write_text(text.replace("police chiefs", "police chiefs said child pornography"))
        with Served(root) as served, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM))
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(served.url + "/")
            page.screenshot(path=str(outdir / "serve-home.png"))
            page.goto(served.url + "/brief/ministers")
            page.locator("#sec-encryption-anonymisation").scroll_into_view_if_needed()
            page.evaluate("document.getElementById('sec-encryption-anonymisation').scrollIntoView()")
            page.screenshot(path=str(outdir / "serve-brief.png"))
            browser.close()


if __name__ == "__main__":
    default = Path(__file__).resolve().parent.parent / "docs"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
