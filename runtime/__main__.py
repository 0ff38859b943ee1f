"""`python -m runtime`: the embedded mode, the whole platform on one port (make run)."""
from __future__ import annotations

import logging
import signal
import threading

from shared import config as gwh_config
from shared import logs, malloc, metrics

from runtime.embedded import Platform
from runtime.server import gateway_server

log = logging.getLogger("gwh")


def main() -> None:
    malloc.tune()  # before any thread: memory that stays flat under load (shared/malloc.py)
    logs.configure()
    config = gwh_config.load()
    # The demo seeder plays the last 30 days on this clock, then leaves it at the system time.
    from runtime.demo import TravelClock
    platform = Platform(config, clock=TravelClock()).start()
    if config.metrics_port is not None:
        backlog = metrics.Backlog()
        for parts in platform.parts.values():
            backlog.watch(parts)
        metrics.serve(config.metrics_port, backlog, addr=config.host)
    if config.demo_data:
        from runtime.demo import scale_from_env, seed
        seed(platform, scale=scale_from_env())
    server = gateway_server(config.host, config.port, platform.gateway)

    def on_signal(signum, _frame):
        log.info("signal %s: no new requests; draining the outboxes and queues", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    log.info("Gouwuhao is serving on http://%s:%s (data in %s)", config.host, config.port, config.data_dir)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        platform.stop(drain=True)
        log.info("stopped; every outbox and queue drained")


if __name__ == "__main__":
    main()
