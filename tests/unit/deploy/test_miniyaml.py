"""The YAML subset reader the manifest tests rely on: it must read deploy/'s shapes right
and refuse what it does not understand rather than misread it."""
from __future__ import annotations

import pytest

from tests.unit.deploy.miniyaml import YamlError, load, load_all

SAMPLE = """\
# a comment
apiVersion: apps/v1   # trailing comment
kind: Deployment
spec:
  replicas: 2
  paused: false
  selector: {}
  template:
    spec:
      containers:
        - name: api
          command: ["python", "-c", "print('a, b')  # not a comment"]
          env:
            - name: GWH_BUS_URL
              value: "amqp://u:p@rabbitmq:5672//"
            - name: EMPTY
              value: ''
          args: []
      volumes:
      - name: tmp
        emptyDir: {}
ports:
  - "8000:8000"
  - 127.0.0.1:15672:15672
nothing:
data:
  nginx.conf: |
    events {
        # kept: inside a literal block
    }

    http { }
  stripped: |-
    one
    two
"""


def test_it_reads_mappings_sequences_scalars_flow_lists_and_literal_blocks():
    doc = load(SAMPLE)
    assert doc["apiVersion"] == "apps/v1" and doc["spec"]["replicas"] == 2 and doc["spec"]["paused"] is False
    assert doc["spec"]["selector"] == {}
    container = doc["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-c", "print('a, b')  # not a comment"]
    assert container["env"] == [{"name": "GWH_BUS_URL", "value": "amqp://u:p@rabbitmq:5672//"},
                                {"name": "EMPTY", "value": ""}]
    assert container["args"] == []
    assert doc["spec"]["template"]["spec"]["volumes"] == [{"name": "tmp", "emptyDir": {}}]
    assert doc["ports"] == ["8000:8000", "127.0.0.1:15672:15672"]
    assert doc["nothing"] is None
    assert doc["data"]["nginx.conf"] == "events {\n    # kept: inside a literal block\n}\n\nhttp { }\n"
    assert doc["data"]["stripped"] == "one\ntwo"


def test_it_splits_documents_and_drops_empty_ones():
    assert load_all("# only a comment\n---\na: 1\n---\nb: [x, 'y']\n") == [{"a": 1}, {"b": ["x", "y"]}]


@pytest.mark.parametrize("text", [
    "namespace: y\n",              # a YAML 1.1 boolean to Kubernetes
    "enabled: on\n",
    "a: &anchor 1\nb: *anchor\n",
    "a: >\n  folded\n",
    "a: {b: 1}\n",
    "a: b: c\n",
    "a:\n  b: 1\n   c: 2\n",
    "a: 1\na: 2\n",
    "a: \"open\n",
    "a:\n\t- 1\n",
    "- a\n  - b\n",
])
def test_it_refuses_what_is_outside_the_subset(text):
    with pytest.raises(YamlError):
        load_all(text)
