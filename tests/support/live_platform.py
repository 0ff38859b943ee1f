"""The embedded platform served for real on a free port, as `make run` serves it: for the browser
tests, the screenshots and the traffic simulator."""
from __future__ import annotations

import socket
import tempfile
import threading
from pathlib import Path
import requests
from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LivePlatform:
    """The embedded platform served over HTTP on 127.0.0.1:<port> from a background thread."""

    def __init__(self, data_dir: Path | None = None, **config):
        from runtime.demo import TravelClock
        from runtime.embedded import Platform
        from tests.conftest import make_config
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir = data_dir or Path(tempfile.mkdtemp(prefix="gwh-browser-")) / "data"
        self.clock = TravelClock()
        self.platform = Platform(make_config(data_dir, port=self.port, gateway_url=self.url, **config),
                                 clock=self.clock).start()
        self.server = make_server("127.0.0.1", self.port, self.platform.gateway, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, name="browser-test-server", daemon=True)
        self.thread.start()

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        reply = requests.request(method, self.url + path, headers=headers, timeout=10, **kwargs)
        assert reply.status_code < 300, f"{method} {path}: {reply.status_code} {reply.text[:300]}"
        return reply.json() if reply.content else {}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.platform.stop(drain=False)
