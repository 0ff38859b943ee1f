"""Log format choice and request-id acceptance: the rules, without a server."""
import io
import json
import logging

import pytest

from shared import correlation, logs
from shared.events import correlation_id_var


def test_the_log_format_is_text_in_the_embedded_mode_and_json_in_the_cluster():
    assert logs.log_format({}) == "text"
    assert logs.log_format({"GWH_BUS_URL": "memory://"}) == "text"
    assert logs.log_format({"GWH_BUS_URL": "amqp://rabbitmq//"}) == "json"
    assert logs.log_format({"GWH_BUS_URL": "amqp://rabbitmq//", "GWH_LOG_FORMAT": "TEXT"}) == "text"
    assert logs.log_format({"GWH_LOG_FORMAT": "json"}) == "json"
    with pytest.raises(ValueError, match="json or text"):
        logs.log_format({"GWH_LOG_FORMAT": "xml"})
    with pytest.raises(ValueError):
        logs.log_level({"GWH_LOG_LEVEL": "LOUD"})


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_every_line_names_the_request_id_or_says_there_is_none(fmt):
    config = logs.dict_config(fmt, "INFO")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.json_formatter() if fmt == "json" else logging.Formatter(logs.TEXT_FORMAT))
    handler.addFilter(logs.RequestIdFilter(config["filters"]["request_id"]["missing"]))
    logger = logging.getLogger(f"gwh.test.{fmt}")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    token = correlation_id_var.set("req-1")
    try:
        logger.info("inside")
    finally:
        correlation_id_var.reset(token)
    logger.info("outside")
    first, second = stream.getvalue().splitlines()
    if fmt == "json":
        assert json.loads(first)["request_id"] == "req-1" and json.loads(second)["request_id"] is None
    else:
        assert "[req-1] inside" in first and "[-] outside" in second


def test_a_request_id_is_kept_only_when_it_is_a_sane_token():
    assert correlation.choose("abc-1") == "abc-1"
    assert correlation.choose(None, "old-1") == "old-1"
    assert correlation.choose("new-1", "old-1") == "new-1"
    assert correlation.choose("bad id", "old-2") == "old-2"
    for bad in ("", "a b", "x" * 129, "a\nb", "ünï", 'q"'):
        chosen = correlation.choose(bad)
        assert chosen != bad and len(chosen) == 32
    assert correlation.choose("x" * 128) == "x" * 128
