"""A real embedded platform on a free port (background threads, as `make run` runs it) and
Debian's Chromium driven by Playwright, for the browser tests and the screenshots."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager


CHROMIUM = "/usr/bin/chromium"
# What this machine needs: no sandbox (root in a container), no GPU, and nothing that
# reaches the network on its own (QUIC, component updates, sync, background fetches).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def chromium_missing_reason() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def rendered(page, name: str | None = None):
    """Wait until the client has finished rendering its page (app.js marks #main with the
    page's name and, once rendered, data-ready)."""
    which = f"[data-page='{name}']" if name else ""
    page.wait_for_selector(f"#main{which}[data-ready='1']", timeout=20000)
    return page


def open_page(page, url: str, name: str):
    """Go to a page of the client (a hash route or a shop link) and wait for it to render."""
    page.goto(url)
    return rendered(page, name)


def reloaded(page):
    """A refresh for `eventually`: reload, then wait for the page to render before looking."""
    def refresh():
        page.reload()
        rendered(page)
    return refresh


def eventually(check, *, timeout: float = 20.0, interval: float = 0.3, refresh=None):
    """Call `check` until it returns something truthy; `refresh` (a page reload) between tries.

    The platform's projections follow events: a page that shows them is reloaded as a
    person would, never read after an arbitrary sleep."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("still not true after %.0f s" % timeout)
        time.sleep(interval)
        if refresh is not None:
            refresh()
