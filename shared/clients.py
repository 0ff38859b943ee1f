"""Who is calling: the client's address behind the gateway, and rate limits per caller.

The address. Behind the gateway (nginx) a service sees the gateway's address; the client's
is the last one the gateway appended to X-Forwarded-For. Only as many entries as there
are trusted proxies are believed (GWH_TRUSTED_PROXIES, werkzeug's ProxyFix): anything a
client wrote into the header itself sits further left and is ignored, so a client cannot
pick its own address. 0 (the embedded mode, where nothing is in front) believes none.

The limits. Flask-Limiter, with counters in the process's memory in the embedded mode (one
process) and in Redis in the cluster (GWH_RATELIMIT_STORAGE_URL, else GWH_REDIS_URL), where
every API process must see the same counts. A breach is a 429 problem+json with
Retry-After. Should the counter store be unreachable, requests go through with in-memory
counters meanwhile: a limit is a brake on abuse, not a reason to refuse everyone.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

MEMORY = "memory://"


def trust_proxies(app: Flask, hops: int) -> None:
    """Take the client's address from X-Forwarded-For as `hops` trusted proxies wrote it."""
    if hops < 0:
        raise ValueError("GWH_TRUSTED_PROXIES cannot be negative")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)


def client_address() -> str:
    """The calling client's address (after `trust_proxies`)."""
    return request.remote_addr or "unknown"


def storage_url(config) -> str:
    """Where the counters live: the explicit setting, else the platform's Redis (as a
    Redis Cluster when GWH_REDIS_CLUSTER says so), else memory (the embedded mode)."""
    if config.ratelimit_storage_url:
        return config.ratelimit_storage_url
    if not config.redis_url:
        return MEMORY
    if config.redis_cluster:
        parts = urlsplit(config.redis_url)
        # The cluster has no databases: keep the node's address (and credentials) only.
        return urlunsplit(("redis+cluster", parts.netloc, "", "", ""))
    return config.redis_url


def limiter_for(app: Flask, config) -> Limiter:
    """A rate limiter of this app alone (its own counters: two apps in one process, as in
    tests, never share them). Routes opt in with `limiter.limit(...)`."""
    # Registered before the limiter's own after_request, so it runs after it: Flask-Limiter
    # puts Retry-After on every limited answer, but on a success it would only confuse a
    # client (RFC 9110 gives it to 429, 503 and redirects).
    @app.after_request
    def _retry_after_only_when_refused(response):
        if response.status_code < 400:
            response.headers.pop("Retry-After", None)
        return response

    url = storage_url(config)
    # A Redis that does not answer must cost a request seconds at most, then the limits
    # count in memory until it is back (in_memory_fallback).
    options = {} if url == MEMORY else {"socket_connect_timeout": 2, "socket_timeout": 2}
    limiter = Limiter(
        key_func=client_address,
        app=app,
        storage_uri=url,
        storage_options=options,
        strategy="moving-window",        # no burst of twice the limit across a window edge
        headers_enabled=True,            # X-RateLimit-* on every limited answer, Retry-After on a 429
        retry_after="delta-seconds",
        key_prefix=f"gwh:{app.name}",
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    return limiter
