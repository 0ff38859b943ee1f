"""The web client's static files (web/), served by the embedded gateway at `/`.

The client is plain ES modules with no build step, so `make run` needs no Node. The same
three kinds of path are served by nginx from the same folder (deploy/nginx/render.py):
  /            the single page (web/index.html)
  /s/<id>      a member's shop page, the link a member shares: the same page, which reads
               the member id from the path
  /static/...  the modules, styles and images (web/static/)
"""
from __future__ import annotations

import os
from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.utils import send_from_directory

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
INDEX = "index.html"
# Paths answered with the single page: the page itself and the shared shop links.
PAGE_PATHS = ("/",)
SHOP_PREFIX = "/s/"
STATIC_PREFIX = "/static/"


def web_dir() -> Path:
    return Path(os.environ.get("GWH_WEB_DIR") or WEB_DIR)


def is_web_path(path: str) -> bool:
    return path in PAGE_PATHS or path.startswith(SHOP_PREFIX) or path.startswith(STATIC_PREFIX)


def serve(environ, start_response, root: Path | None = None):
    """Answer a web path from the folder; anything missing or outside it is a 404 (raised,
    so the caller answers it as problem+json like every other unknown path)."""
    root = root or web_dir()
    path = environ.get("PATH_INFO") or "/"
    if path in PAGE_PATHS or path.startswith(SHOP_PREFIX):
        name = INDEX
    else:
        name = "static/" + path[len(STATIC_PREFIX):]
    # send_from_directory refuses paths that leave the folder (.., absolute, NUL) with a 404.
    response = send_from_directory(str(root), name, environ, max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # revalidate by ETag: a new release shows at once
    response.headers["X-Content-Type-Options"] = "nosniff"
    if name == INDEX:
        response.headers["Content-Security-Policy"] = CSP
    return response(environ, start_response)


# The client loads nothing from elsewhere: no CDN, no inline script.
CSP = ("default-src 'self'; img-src 'self' data: http: https:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

__all__ = ["serve", "is_web_path", "web_dir", "NotFound"]
