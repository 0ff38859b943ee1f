"""The embedded mode: every service in one process, behind the in-process gateway.

`Platform` builds each service with one shared bus (kombu's in-memory transport unless
GWH_BUS_URL says otherwise), SQLite files and an embedded Redis under the data dir. It runs
the consumers, relays and periodic jobs as threads (`start`), or not at all, so tests can
step the whole platform deterministically (`settle`).

On stop it refuses new requests (the server stops first), drains the outboxes and the
in-memory queues until nothing moves, then closes everything. What was still on the
in-memory bus when the process died is lost (the README says so); what was still in an
outbox goes out at the next start.
"""
from __future__ import annotations

import logging
import os
import time

from shared import config as gwh_config
from shared.bus import Bus
from shared.clock import SystemClock
from shared.config import SERVICES, Config
from shared.datadir import private_data_dir, private_umask
from shared.service import ServiceParts
from shared.tokens import in_process_lookup

from runtime.gateway import Gateway
from runtime.topology import declare_all, service_module

log = logging.getLogger("gwh.embedded")


class Platform:
    def __init__(self, config: Config, *, clock=None, services=SERVICES, adapters: dict[str, dict] | None = None):
        """`adapters`: per service, what its `build` takes besides the config, the bus and
        the clock (a test's fake payment provider: {"order": {"payments": fake}})."""
        # Every file the platform creates is private (0600), the embedded Redis's included.
        self._umask_before = private_umask()
        try:
            self.config = gwh_config.resolve_jwt_secret(config)
            private_data_dir(self.config.data_dir)  # 0700
            self.clock = clock or SystemClock()
            self.bus = Bus.from_config(self.config)
            self.names = list(services)
            declare_all(self.bus, self.names)
            self.parts: dict[str, ServiceParts] = {}
            adapters = {name: dict(given) for name, given in (adapters or {}).items()}
            if "ranking" in self.names and {"shop", "order"} <= set(self.names):
                # The ranking's store watch reads the history through the in-process gateway
                # (made below, before anything runs).
                adapters.setdefault("ranking", {}).setdefault("history_fetch", self._history_fetch)
            for name in self.names:
                self.parts[name] = service_module(name).build(self.config, bus=self.bus, clock=self.clock,
                                                            **adapters.get(name, {}))
        except BaseException:
            os.umask(self._umask_before)
            raise
        self._ask_the_shop_in_process()
        apps = {name: parts.app for name, parts in self.parts.items()}
        for parts in self.parts.values():
            # Read-through (shared.owners): in one process, an owner is asked in-process.
            if parts.context.owners is not None:
                parts.context.owners.attach_local(apps)
        self.gateway = Gateway(apps)
        self.started = False

    def _ask_the_shop_in_process(self) -> None:
        """A service meeting a member it has not heard of asks the shop (shared.tokens);
        here the shop is in this process. Without a shop, no unknown member is accepted."""
        shop = self.parts.get("shop")
        for name, parts in self.parts.items():
            guard = parts.context.token_guard
            if guard is not None and name != "shop":
                guard.lookup = in_process_lookup(shop.app, self.config.jwt_secret, name) if shop else None

    def _history_fetch(self, path: str, params: dict) -> dict:
        from werkzeug.test import Client

        from shared.auth import issue_service_token
        token = issue_service_token(self.config.jwt_secret, "ranking-rebuild", ttl_seconds=300)
        reply = Client(self.gateway).get(path, query_string=params, headers={"Authorization": f"Bearer {token}"})
        if reply.status_code != 200:
            raise RuntimeError(f"{path}: {reply.status_code} {reply.get_data(as_text=True)[:200]}")
        return reply.json

    def __getitem__(self, name: str) -> ServiceParts:
        return self.parts[name]

    def start(self) -> "Platform":
        for parts in self.parts.values():
            parts.start_background()
        self.started = True
        return self

    def settle(self, max_rounds: int = 200) -> int:
        """Relay every outbox and handle every queued event until nothing moves.

        Deterministic stepping for tests and for the shutdown drain; returns the number of
        events handled.
        """
        handled = 0
        for _ in range(max_rounds):
            moved = 0
            for parts in self.parts.values():
                if parts.relay is not None:
                    moved += parts.relay.flush()
            for parts in self.parts.values():
                if parts.consumer is not None:
                    count = parts.consumer.pump()
                    moved += count
                    handled += count
            if moved == 0:
                return handled
        raise RuntimeError("the platform did not settle: events keep flowing")

    def run_periodic(self) -> None:
        for parts in self.parts.values():
            parts.run_periodic_once()

    def stop(self, *, drain: bool = True) -> None:
        for parts in self.parts.values():
            parts.stop_background()
        if drain:
            try:
                self.settle()
            except Exception as exc:
                log.warning("drain on shutdown incomplete: %s", exc)
        for parts in self.parts.values():
            parts.close()
        self.started = False
        os.umask(self._umask_before)


def wait_settled(platform: Platform, timeout: float = 15.0, quiet_checks: int = 3, poll: float = 0.02) -> None:
    """With threads running: wait until every outbox is empty, every queue drained, no
    handler is busy, and nothing moved for a few checks in a row (a handler that just
    finished may have emitted an event its relay has not woken for yet), looking every
    `poll` seconds."""
    deadline = time.monotonic() + timeout
    quiet, last = 0, None
    while time.monotonic() < deadline:
        pending = sum(p.relay.pending() for p in platform.parts.values() if p.relay is not None)
        queued = busy = 0
        activity = 0
        for name, parts in platform.parts.items():
            if parts.relay is not None:
                activity += parts.relay.published
            if parts.consumer is not None:
                queued += platform.bus.queue_depth(name, parts.consumer.event_types)[0]
                busy += parts.consumer.in_flight
                activity += parts.consumer.handled + parts.consumer.dead_lettered
        idle = pending == 0 and queued == 0 and busy == 0
        quiet = quiet + 1 if idle and activity == last else 0
        if quiet >= quiet_checks:
            return
        last = activity
        time.sleep(poll)
    raise TimeoutError("the platform did not settle in time")
