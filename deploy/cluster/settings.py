"""What `make cluster` runs and where, from GWH_* environment variables.

The servers default to the local ones on their standard ports. One database per relational
service is named `<GWH_DB_PREFIX><service>` on the server of GWH_POSTGRES_URL, unless
GWH_<SERVICE>_DB_URL names it. The bus is the vhost of GWH_BUS_URL (the default vhost
unless it says otherwise) with the exchange GWH_EXCHANGE: the platform isolates itself on a
shared broker by its exchange and queue names, so the launcher needs no administrator
rights on the broker (a missing vhost is reported, with the command that creates it).
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from shared.config import RELATIONAL_SERVICES, SERVICES

DEFAULT_BUS_URL = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_RUN_DIR = "run/cluster"
DEFAULT_WORKERS = 2


def _count(env, name: str, default: int) -> int:
    raw = env.get(name) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if not 1 <= value <= 64:
        raise ValueError(f"{name} must be between 1 and 64, not {value}")
    return value


@dataclass(frozen=True)
class Settings:
    run_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    bus_url: str = DEFAULT_BUS_URL
    postgres_url: str = DEFAULT_POSTGRES_URL
    redis_url: str = DEFAULT_REDIS_URL
    database_urls: dict[str, str] = field(default_factory=dict)
    # gunicorn worker processes per API, and competing ranking workers.
    api_workers: dict[str, int] = field(default_factory=lambda: {s: DEFAULT_WORKERS for s in SERVICES})
    ranking_workers: int = DEFAULT_WORKERS
    # Every other GWH_* variable (JWT secret, admin account, exchange, intervals) passes
    # through to every process unchanged.
    passthrough: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *, root: Path | None = None) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        root = root or Path.cwd()
        run_dir = Path(env.get("GWH_RUN_DIR") or root / DEFAULT_RUN_DIR).resolve()
        postgres_url = (env.get("GWH_POSTGRES_URL") or DEFAULT_POSTGRES_URL).rstrip("/")
        prefix = env.get("GWH_DB_PREFIX", "gwh_")
        database_urls = {s: env.get(f"GWH_{s.upper()}_DB_URL") or f"{postgres_url}/{prefix}{s}"
                         for s in RELATIONAL_SERVICES}
        return cls(
            run_dir=run_dir,
            host=env.get("GWH_HOST") or "127.0.0.1",
            port=int(env.get("GWH_PORT") or 8000),
            bus_url=env.get("GWH_BUS_URL") or DEFAULT_BUS_URL,
            postgres_url=postgres_url,
            redis_url=env.get("GWH_REDIS_URL") or DEFAULT_REDIS_URL,
            database_urls=database_urls,
            api_workers={s: _count(env, f"GWH_{s.upper()}_API_WORKERS", DEFAULT_WORKERS) for s in SERVICES},
            ranking_workers=_count(env, "GWH_RANKING_WORKERS", DEFAULT_WORKERS),
            passthrough={k: v for k, v in env.items() if k.startswith("GWH_")},
        )

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def jwt_secret(self) -> str:
        """GWH_JWT_SECRET, else one generated once into the run directory (so tokens survive
        a restart of the cluster), never a different one per process."""
        if self.passthrough.get("GWH_JWT_SECRET"):
            return self.passthrough["GWH_JWT_SECRET"]
        path = self.run_dir / "jwt-secret"
        if not path.exists():
            self.run_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
