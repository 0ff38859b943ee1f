"""GET /internal/<service>/events: a service's event history, for admins and replays.

The outbox keeps every event the service produced. The ranking service's rebuild reads
the shop's and the order's history through this endpoint instead of their tables.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.auth import require_role
from shared.http import Blueprint
from shared.outbox import history
from shared.validation import Integer, QueryText


class HistoryQuery(Schema):
    after = Integer(load_default=0, validate=validate.Range(min=0))
    limit = Integer(load_default=500, validate=validate.Range(min=1, max=5000))
    # Event types, comma-separated ("shop.visited,order.paid").
    types = QueryText(load_default="", validate=validate.Regexp(r"^[a-z0-9_.,]*$",
                                                                error="event types, comma-separated"),
                      metadata={"pattern": "^[a-z0-9_.,]*$"})


class HistoryPage(Schema):
    items = fields.List(fields.Dict())
    next_after = fields.Integer()


def history_blueprint(service: str) -> Blueprint:
    bp = Blueprint(f"{service}_history", __name__, url_prefix=f"/internal/{service}",
                   description=f"The {service} service's event history (admin).")

    @bp.get("/events")
    @bp.arguments(HistoryQuery, location="query")
    @bp.response(200, HistoryPage)
    @bp.doc(security=[{"bearer": []}])
    def events(query):
        """Events this service produced, oldest first, after sequence `after`."""
        require_role("admin")
        from shared.service import ServiceContext, service_context
        types = [t for t in query["types"].split(",") if t]
        items = history(service_context(ServiceContext).db, after=query["after"], types=types or None, limit=query["limit"])
        return {"items": items, "next_after": items[-1]["seq"] if items else query["after"]}

    return bp
