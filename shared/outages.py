"""An outage of what a service stands on answers 503, not 500.

When a service's own database, its Redis or the broker cannot be reached, the request is
not wrong and nothing is broken in the code: the client should come back shortly. Every
service answers such a failure with 503 application/problem+json and `Retry-After`, the
same shape nginx gives when a service itself does not answer (deploy/nginx/render.py). The
cause is logged, once per request, naming the store; the client is told only that the
service is unavailable.
"""
from __future__ import annotations

import logging

from flask import Flask, request

log = logging.getLogger("gwh.http")

# Seconds a client should wait before retrying: long enough for a pooled connection to be
# replaced or a failover to finish, short enough that a blip costs little.
RETRY_AFTER_SECONDS = 5


def outage_errors() -> dict[str, tuple[type[BaseException], ...]]:
    """The exception classes that mean "a store is unreachable", by the store they name."""
    from sqlalchemy.exc import InterfaceError, OperationalError
    import redis.exceptions as redis_errors

    from shared.bus import BrokerUnavailable
    return {
        "database": (OperationalError, InterfaceError),
        "redis": (redis_errors.ConnectionError, redis_errors.TimeoutError, redis_errors.BusyLoadingError,
                  redis_errors.ClusterDownError, redis_errors.TryAgainError, redis_errors.SlotNotCoveredError),
        "broker": (BrokerUnavailable,),
    }


def register(app: Flask, service: str) -> None:
    from shared.http import problem_response

    for store, errors in outage_errors().items():
        def handle(error: Exception, store: str = store):
            log.warning("%s %s: the %s of %s is unavailable: %s: %s", request.method, request.path, store,
                        service, type(error).__name__, str(error).splitlines()[0][:300] if str(error) else "")
            return problem_response(503, "Service Unavailable",
                                    f"the {service} service cannot reach its {store} right now; try again later",
                                    extra={"retry_after": RETRY_AFTER_SECONDS},
                                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        for error in errors:
            app.register_error_handler(error, handle)
