"""`make screenshots`: every page of the web client at phone and desktop width, into
docs/screenshots/ (shown in the README).

Runs its own embedded platform with the demo data (GWH_DEMO_SCALE, default full; `small`
is quicker), or, with `--url`, photographs a platform already running with its demo data.

    python -m tests.browser.screenshots [--url http://127.0.0.1:8000] [--out docs/screenshots]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import requests

from tests.browser.support import DESKTOP, PHONE, chromium
from tests.support.live_platform import LivePlatform

ROOT = Path(__file__).resolve().parents[2]


def login(url: str, username: str) -> dict:
    from runtime.demo import DEMO_PASSWORD
    reply = requests.post(url + "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=10)
    reply.raise_for_status()
    return reply.json()


def shots(url: str) -> list[tuple[str, str, str | None]]:
    """(file name, path, who is signed in) for every page."""
    alice = login(url, "alice")["member_id"]
    return [
        ("login", "/#/login", None),
        ("community", "/#/community", "alice"),
        ("shop-page", f"/s/{alice}", "bob"),
        ("my-shop", "/#/shop", "alice"),
        ("dashboard", "/#/dashboard", "alice"),
        ("orders", "/#/orders", "bob"),
        ("friends", "/#/friends", "alice"),
        ("privacy", "/#/privacy", "alice"),
        ("me", "/#/me", "alice"),
        ("merchant", "/#/merchant", "merchant"),
        ("admin", "/#/admin", "admin"),
    ]


def photograph(url: str, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    tokens = {}
    with chromium() as browser:
        for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            for name, path, who in shots(url):
                context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="zh-CN")
                if who:
                    tokens.setdefault(who, login(url, who)["token"])
                    context.add_init_script(f"localStorage.setItem('gwh.token', {tokens[who]!r})")
                page = context.new_page()
                page.goto(url + path)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(300)
                target = out / f"{name}-{width}.png"
                page.screenshot(path=str(target))
                written.append(target)
                context.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.browser.screenshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running platform with its demo data (default: start one here)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    live = None
    url = args.url
    if url is None:
        from runtime.demo import scale_from_env, seed
        live = LivePlatform()
        seed(live.platform, scale=scale_from_env())
        url = live.url
    try:
        for path in photograph(url.rstrip("/"), args.out):
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB",
                  file=sys.stderr)
    finally:
        if live is not None:
            live.stop()


if __name__ == "__main__":
    main()
