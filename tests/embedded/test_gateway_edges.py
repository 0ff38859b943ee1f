"""What the embedded gateway answers itself, through its real HTTP server (`make run`):
every error is problem+json, and no header names a server's or Python's version."""
import http.client
import json
import socket
import threading

import pytest

from runtime.server import gateway_server

PROBLEM = "application/problem+json"


@pytest.fixture
def served(platform):
    server = gateway_server("127.0.0.1", 0, platform.gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def ask(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def assert_problem(answer, status):
    code, headers, body = answer
    assert code == status, (code, body[:200])
    assert headers["Content-Type"] == PROBLEM
    assert json.loads(body)["status"] == status
    assert "Werkzeug" not in headers.get("Server", "") and "Python" not in headers.get("Server", "")


def test_a_uri_too_long_is_414_problem_json(served):
    assert_problem(ask(served, "GET", "/api/catalog/products?q=" + "x" * 70_000), 414)


def test_a_malformed_request_line_is_400_problem_json(served):
    with socket.create_connection(("127.0.0.1", served), timeout=10) as raw:
        raw.sendall(b"GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = b""
        while chunk := raw.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert_problem((int(lines[0].split()[1]), headers, body), 400)


def test_the_gateways_own_404_405_and_a_service_413_are_problem_json(served):
    assert_problem(ask(served, "GET", "/nowhere"), 404)
    assert_problem(ask(served, "POST", "/health"), 405)
    assert_problem(ask(served, "DELETE", "/api/catalog/products"), 405)
    big = json.dumps({"name": "x" * 70_000})
    assert_problem(ask(served, "POST", "/api/catalog/brands", big, {"Content-Type": "application/json"}), 413)


def test_no_response_names_server_versions(served):
    status, headers, _ = ask(served, "GET", "/api/catalog/products")
    assert status == 200
    assert headers["Server"] == "Gouwuhao"


def test_an_exception_escaping_a_service_is_a_502_problem(platform, served):
    def broken(environ, start_response):
        raise RuntimeError("boom")
    platform.gateway.apps["catalog"] = broken
    assert_problem(ask(served, "GET", "/api/catalog/products"), 502)
