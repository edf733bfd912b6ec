"""Make ``docs/playground.png``, the README's picture of ``nntricks playground``.

Run from the repository root with the test extras installed and Chromium on the machine::

    python scripts/playground_screenshot.py

It starts the server on a free port, opens the page in headless Chromium on the spiral data,
plays for a few seconds, checks the gradient and saves the whole page as it is then.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from playground_server import running_server  # noqa: E402

SETTING = ("#dataset=spiral&noise=10&features=x1,x2,x1^2,x2^2,sin_x1,sin_x2&hidden=8,8,4"
           "&activation=tanh&learning_rate=0.03&seed=1")


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with running_server() as (base, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + "/" + SETTING)
        page.wait_for_function("window.playground && window.playground.snapshotsReceived > 0")
        page.click("#play")
        time.sleep(8)
        page.click("#play")
        time.sleep(0.5)
        page.click("#gradcheck")
        page.wait_for_function("document.querySelectorAll('#gradcheck-result tbody tr').length > 0")
        page.screenshot(path=str(ROOT / "docs" / "playground.png"), full_page=True)
        browser.close()
    print(f"wrote {ROOT / 'docs' / 'playground.png'}")


if __name__ == "__main__":
    main()
