"""The web client as the embedded gateway serves it, and what can be checked of its
sources without a browser (tests/browser drives it in Chromium)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.test import Client

from runtime import web
from runtime.gateway import Gateway

WEB = Path(__file__).resolve().parents[3] / "web"
MODULES = sorted((WEB / "static").rglob("*.js"))


@pytest.fixture
def client():
    def service(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"service": true}']
    return Client(Gateway({name: service for name in ("catalog", "shop", "order", "ranking")}))


@pytest.mark.parametrize("path", ["/", "/s/3f2a", "/s/3f2a/"])
def test_the_page_is_served_at_the_root_and_at_every_shop_link(client, path):
    reply = client.get(path)
    assert reply.status_code == 200 and reply.mimetype == "text/html"
    assert reply.data == (WEB / "index.html").read_bytes()
    # Nothing from elsewhere: no CDN, no inline script.
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["Cache-Control"] == "no-cache" and reply.headers["ETag"]


@pytest.mark.parametrize("path, mimetype", [("/static/app.js", "text/javascript"), ("/static/style.css", "text/css"),
                                            ("/static/img/logo.svg", "image/svg+xml"),
                                            ("/static/demo/tea-0.svg", "image/svg+xml")])
def test_static_files_are_served_with_their_type(client, path, mimetype):
    reply = client.get(path)
    assert reply.status_code == 200 and reply.mimetype == mimetype
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/static/nope.js", "/static/../runtime/web.py", "/static/%2e%2e/pyproject.toml",
                                  "/static/", "/static/pages", "/s", "/index.html", "/sx/1", "/web/index.html"])
def test_anything_else_is_a_problem_json_404(client, path):
    reply = client.get(path)
    assert reply.status_code == 404 and reply.mimetype == "application/problem+json"
    assert reply.json["status"] == 404


def test_the_gateways_index_moved_to_api_and_services_still_route(client):
    assert client.get("/api").json["web"] == "/"
    assert client.get("/api/catalog/products").json == {"service": True}


def test_every_module_the_client_imports_is_shipped():
    for module in MODULES:
        source = module.read_text(encoding="utf-8")
        for target in re.findall(r"""(?:from|import)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""", source):
            assert (module.parent / target).resolve().is_file(), f"{module.name} imports {target}"
        # No network at run time: every URL the client calls is the gateway's own.
        assert not re.search(r"https?://[A-Za-z0-9]", source.replace("http://www.w3.org/2000/svg", "")), module


def test_every_text_the_client_shows_exists_in_chinese_and_english():
    source = (WEB / "static" / "i18n.js").read_text(encoding="utf-8")
    zh_part, en_part = source.split("const en = ")
    zh = set(re.findall(r'"([a-z_0-9.-]+)":', zh_part))
    en = set(re.findall(r'"([a-z_0-9.-]+)":', en_part))
    assert zh == en
    used = set()
    for module in MODULES:
        used |= set(re.findall(r'\bt\("([a-z_0-9]+\.[a-z_0-9.]+)"', module.read_text(encoding="utf-8")))
    assert used <= zh, sorted(used - zh)


def test_the_web_dir_can_be_moved_by_configuration(tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("<p>elsewhere</p>")
    monkeypatch.setenv("GWH_WEB_DIR", str(tmp_path))
    assert web.web_dir() == tmp_path
