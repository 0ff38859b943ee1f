"""Log lines of every process, in one format, each carrying the request id.

Configured in one place, once per process:

- `python -m runtime` (the embedded mode) and a service's event worker (shared/service.py
  `run_worker`) call `configure()`;
- gunicorn (every API and the health app) reads `logconfig_dict` from
  shared/gunicorn_conf.py, which is `dict_config()`, so its own lines take the same form.

`GWH_LOG_FORMAT=json` writes one JSON object a line (python-json-logger): `timestamp`,
`level`, `logger`, `message`, `request_id`, and whatever a line adds with `extra=` (the
access line's `method`, `route`, `status`, `duration_ms`; a consumer's `event_type`,
`event_id`). `text` writes the same as a readable line. Unset, it is `text` in the
embedded mode (in-memory bus: someone is reading a terminal) and `json` in the cluster
mode (a log collector is reading). `GWH_LOG_LEVEL` (INFO) sets the level.

`request_id` is the correlation id of the request or event being handled
(shared/correlation.py); a line written outside any (a periodic job starts its own, a
relay batch has none) carries null in JSON and `-` in text.
"""
from __future__ import annotations

import logging
import logging.config
import os
from typing import Any

from shared.events import correlation_id_var

FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"


class RequestIdFilter(logging.Filter):
    """Puts the current correlation id on every record a handler writes."""

    def __init__(self, missing: str | None = None):
        super().__init__()
        self.missing = missing

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = correlation_id_var.get() or self.missing
        return True


def log_format(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    chosen = (env.get("GWH_LOG_FORMAT") or "").strip().lower()
    if not chosen:
        embedded = (env.get("GWH_BUS_URL") or "memory://").startswith("memory://")
        return "text" if embedded else "json"
    if chosen not in FORMATS:
        raise ValueError(f"GWH_LOG_FORMAT must be json or text, not {chosen!r}")
    return chosen


def log_level(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    level = (env.get("GWH_LOG_LEVEL") or "INFO").strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError(f"GWH_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {level!r}")
    return level


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter
    return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"}, timestamp=True,
                         json_ensure_ascii=False)


def dict_config(fmt: str | None = None, level: str | None = None) -> dict[str, Any]:
    """The `logging.config.dictConfig` of a process: one stderr handler on the root logger,
    which gunicorn's own loggers propagate to."""
    fmt = fmt or log_format()
    level = level or log_level()
    formatter = ({"()": "shared.logs.json_formatter"} if fmt == "json"
                 else {"format": TEXT_FORMAT})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter, "missing": None if fmt == "json" else "-"}},
        "formatters": {"gwh": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": "gwh", "filters": ["request_id"]}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": level, "handlers": [], "propagate": True},
            # The development server's own request lines carry no request id and repeat
            # gwh.access; its warnings and errors still show.
            "werkzeug": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }


def configure(fmt: str | None = None, level: str | None = None) -> None:
    logging.config.dictConfig(dict_config(fmt, level))
