"""The deploy files are valid against their published schemas, checked offline.

- Every Kubernetes object in deploy/k8s/ against the API schemas that kubernetes-validate
  ships (strict: a misspelt field is an error, not silently dropped by the API server).
- deploy/docker-compose.yml against the Compose Specification's JSON schema, as vendored
  by check-jsonschema (its `vendor.compose-spec` builtin, Apache-2.0, from
  github.com/compose-spec/compose-spec, schema/compose-spec.json), validated with jsonschema.

Neither needs a network, a cluster or a Docker engine. Each check is also shown to refuse a
broken copy, so a validator that accepts anything would fail here.
"""
from __future__ import annotations

import copy
import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
# The Kubernetes version the manifests are written for; kubernetes-validate carries its schemas.
KUBERNETES_VERSION = "1.30.0"


def manifests() -> list[tuple[str, dict]]:
    paths = sorted((DEPLOY / "k8s").glob("*.yaml")) + sorted((DEPLOY / "k8s" / "templates").glob("*.yaml"))
    documents = []
    for path in paths:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                documents.append((f"{path.relative_to(DEPLOY).as_posix()}:{doc['kind']}/{doc['metadata']['name']}", doc))
    return documents


def validate_manifest(doc: dict) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.fixture(scope="module")
def compose_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def compose_file() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_every_manifest_is_read():
    kinds = {name.split(":")[1].split("/")[0] for name, _ in manifests()}
    assert {"Namespace", "ConfigMap", "Secret", "Deployment", "Service", "HorizontalPodAutoscaler"} <= kinds
    assert len(manifests()) >= 21


@pytest.mark.parametrize("name,doc", manifests(), ids=[name for name, _ in manifests()])
def test_kubernetes_manifest_is_valid(name, doc):
    validate_manifest(doc)


def test_the_kubernetes_validator_refuses_a_broken_deployment():
    deployment = next(doc for _, doc in manifests() if doc["kind"] == "Deployment")
    misspelt = copy.deepcopy(deployment)
    container = misspelt["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbes"] = container.pop("readinessProbe", {})
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_manifest(misspelt)
    wrong_type = copy.deepcopy(deployment)
    wrong_type["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_manifest(wrong_type)


def test_compose_file_follows_the_compose_specification(compose_validator):
    errors = sorted(compose_validator.iter_errors(compose_file()), key=lambda e: list(e.path))
    assert errors == [], [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]


def test_the_compose_schema_refuses_a_broken_file(compose_validator):
    broken = compose_file()
    service = broken["services"]["catalog-api"]
    service["healtcheck"] = service.pop("healthcheck")
    assert any("healtcheck" in e.message for e in compose_validator.iter_errors(broken))
    broken = compose_file()
    broken["services"]["catalog-worker"]["depends_on"]["postgres"]["condition"] = "service_ready"
    assert list(compose_validator.iter_errors(broken))
