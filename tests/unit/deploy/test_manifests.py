"""deploy/docker-compose.yml and deploy/k8s/ start every process of the cluster mode with
what it needs, and agree with the nginx config about names and networks.

The files are read with miniyaml (the subset they are written in; PyYAML is not a
dependency). "Needs" comes from the code: every relational service its own database URL,
ranking Redis, shop the first admin and Redis (rate limits), everyone the bus and the JWT secret, and every GWH_*
name must be one that shared/config.py actually reads.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from deploy.nginx import render
from shared import config as gwh_config
from shared.config import RELATIONAL_SERVICES, SERVICES
from tests.unit.deploy.miniyaml import load, load_all

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
NAMESPACE = "gouwuhao"
IMAGE = "gouwuhao:0.1.0"


def needs(service: str) -> set[str]:
    names = {"GWH_BUS_URL", "GWH_JWT_SECRET"}
    if service in RELATIONAL_SERVICES:
        names.add(f"GWH_{service.upper()}_DB_URL")
    if service == "ranking":
        names.add("GWH_REDIS_URL")
    if service == "shop":
        # Redis: the visit rate limits' counters, which every shop process must share.
        names |= {"GWH_ADMIN_USERNAME", "GWH_ADMIN_PASSWORD", "GWH_REDIS_URL"}
    return names


def other_databases(service: str) -> set[str]:
    return {f"GWH_{s.upper()}_DB_URL" for s in RELATIONAL_SERVICES if s != service}


class _Recorder(dict):
    def __init__(self):
        super().__init__()
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def variables_config_reads() -> set[str]:
    env = _Recorder()
    gwh_config.load(env)
    return {name for name in env.read if name.startswith("GWH_")}


def api_command(service: str) -> list[str]:
    return ["gunicorn", "-b", "0.0.0.0:8000", f"services.{service}.app:create_app()"]


def worker_command(service: str) -> list[str]:
    return ["python", "-m", f"services.{service}.app", "worker"]


# --- docker compose ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict:
    return load((DEPLOY / "docker-compose.yml").read_text())


def test_config_reads_the_variables_this_test_calls_needs():
    # Guards the test itself: if shared/config.py renamed one, `needs` would check a dead name.
    assert set().union(*(needs(s) for s in SERVICES)) <= variables_config_reads()


def test_compose_runs_an_api_and_a_worker_of_each_service_from_one_image(compose):
    services = compose["services"]
    for service in SERVICES:
        api, worker = services[f"{service}-api"], services[f"{service}-worker"]
        assert api["command"] == api_command(service)
        assert worker["command"] == worker_command(service)
        for process in (api, worker):
            assert process["image"] == IMAGE
            assert process["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
            assert process["restart"] == "unless-stopped"
    assert services["ranking-worker"]["deploy"]["replicas"] == 2
    assert {"rabbitmq", "postgres", "redis", "health", "gateway"} <= set(services)


def test_compose_gives_every_process_what_it_needs_and_no_other_services_database(compose):
    known = variables_config_reads()
    for service in SERVICES:
        for role in ("api", "worker"):
            env = compose["services"][f"{service}-{role}"]["environment"]
            names = {name for name in env if name.startswith("GWH_")}
            assert needs(service) <= names, (service, role)
            assert not names & other_databases(service), (service, role)
            assert names <= known, names - known
            assert re.fullmatch(r"amqp://\$\{RABBITMQ_USER:\?[^}]+\}:\$\{RABBITMQ_PASSWORD:\?[^}]+\}@rabbitmq:5672//",
                                env["GWH_BUS_URL"])
            assert re.fullmatch(r"\$\{GWH_JWT_SECRET:\?[^}]+\}", env["GWH_JWT_SECRET"])
            if service in RELATIONAL_SERVICES:
                # Its own login on its own database (postgres/init-databases.sh).
                pattern = rf"postgresql://{service}:\$\{{{service.upper()}_DB_PASSWORD:\?[^}}]+\}}@postgres:5432/{service}"
                assert re.fullmatch(pattern, env[f"GWH_{service.upper()}_DB_URL"])
    assert compose["services"]["ranking-worker"]["environment"]["GWH_REDIS_URL"] == "redis://redis:6379/0"


def test_compose_secrets_come_from_the_env_file_which_git_ignores(compose):
    text = (DEPLOY / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = dict(line.split("=", 1) for line in (DEPLOY / "env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert used == set(example)
    # `${VAR:?...}`: compose refuses to start while one is missing, rather than run with "".
    assert all(re.search(rf"\$\{{{name}:\?", text) for name in used)
    assert ".env" in (DEPLOY / ".gitignore").read_text().split()


def test_compose_probes_the_apis_readiness_and_waits_for_the_backing_services(compose):
    services = compose["services"]
    store = {s: "postgres" for s in RELATIONAL_SERVICES} | {"ranking": "redis"}
    for service in SERVICES:
        api = services[f"{service}-api"]
        assert "http://127.0.0.1:8000/health/ready" in " ".join(api["healthcheck"]["test"])
        for role in ("api", "worker"):
            depends = services[f"{service}-{role}"]["depends_on"]
            assert depends == {"rabbitmq": {"condition": "service_healthy"},
                               store[service]: {"condition": "service_healthy"}}
    for backing in ("rabbitmq", "postgres", "redis", "gateway", "health"):
        assert services[backing]["healthcheck"]["test"][0] == "CMD"


def test_compose_health_app_asks_every_service(compose):
    health = compose["services"]["health"]
    assert health["command"] == ["gunicorn", "-b", "0.0.0.0:8000", "runtime.gateway:create_health_app()"]
    assert health["environment"] == {f"GWH_{s.upper()}_URL": f"http://{s}-api:8000" for s in SERVICES}
    assert gwh_config.load(health["environment"]).service_urls == {s: f"http://{s}-api:8000" for s in SERVICES}


def test_compose_gateway_serves_the_rendered_conf_on_8000_and_its_upstreams_exist(compose):
    services = compose["services"]
    gateway = services["gateway"]
    assert gateway["image"].startswith("nginx:")
    assert gateway["ports"] == ["8000:8000"]
    assert "./nginx/gouwuhao.conf:/etc/nginx/gouwuhao.conf:ro" in gateway["volumes"]
    assert f"../web:{render.COMPOSE.web_root}:ro" in gateway["volumes"]  # the web client
    assert gateway["entrypoint"] == ["nginx", "-c", "/etc/nginx/gouwuhao.conf"]
    for upstream, address in render.COMPOSE.hosts.items():
        host, port = address.split(":")
        assert host in services and host in gateway["depends_on"], upstream
        assert "0.0.0.0:" + port in services[host]["command"], upstream


def test_compose_network_is_the_one_the_gateway_admits_to_internal(compose):
    ipam = compose["networks"]["default"]["ipam"]["config"]
    assert ipam == [{"subnet": render.COMPOSE.internal_allow[0], "gateway": render.COMPOSE.internal_deny[0]}]


def test_compose_postgres_creates_a_database_per_relational_service(compose):
    postgres = compose["services"]["postgres"]
    script = DEPLOY / "postgres" / "init-databases.sh"
    assert f"./postgres/{script.name}:/docker-entrypoint-initdb.d/10-{script.name}:ro" in postgres["volumes"]
    listed = re.search(r'^SERVICES="([^"]+)"', script.read_text(), re.M).group(1).split()
    assert tuple(listed) == RELATIONAL_SERVICES
    assert {f"{s.upper()}_DB_PASSWORD" for s in RELATIONAL_SERVICES} <= set(postgres["environment"])
    assert script.stat().st_mode & 0o111, "the postgres image sources a script it cannot execute"


# --- Kubernetes ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def objects() -> dict[tuple[str, str], dict]:
    found: dict[tuple[str, str], dict] = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")) + sorted((DEPLOY / "k8s" / "templates").glob("*.yaml")):
        for doc in load_all(path.read_text()):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in found, f"{key} defined twice"
            found[key] = {**doc, "_file": path.relative_to(DEPLOY / "k8s").as_posix()}
    return found


def containers(deployment: dict) -> list[dict]:
    return deployment["spec"]["template"]["spec"]["containers"]


def env_of(container: dict, objects) -> dict[str, str]:
    """Each variable a container gets, as where it comes from: `secret:KEY`, `config:KEY` or a value."""
    result = {}
    for source in container.get("envFrom", []):
        config = objects[("ConfigMap", source["configMapRef"]["name"])]
        result |= {name: f"config:{name}" for name in config["data"]}
    for var in container.get("env", []):
        if "valueFrom" in var:
            ref = var["valueFrom"]["secretKeyRef"]
            secret = objects[("Secret", ref["name"])]
            assert ref["key"] in secret["stringData"], ref
            result[var["name"]] = f"secret:{ref['key']}"
        else:
            result[var["name"]] = var["value"]
    return result


def test_every_k8s_object_lives_in_the_namespace(objects):
    assert ("Namespace", NAMESPACE) in objects
    for (kind, name), obj in objects.items():
        if kind != "Namespace":
            assert obj["metadata"]["namespace"] == NAMESPACE, (kind, name)
        assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "gouwuhao", (kind, name)


def test_k8s_runs_an_api_behind_a_service_and_a_worker_of_each_service(objects):
    for service in SERVICES:
        api = objects[("Deployment", f"{service}-api")]
        worker = objects[("Deployment", f"{service}-worker")]
        assert [c["command"] for c in containers(api)] == [api_command(service)]
        assert [c["command"] for c in containers(worker)] == [worker_command(service)]
        for deployment in (api, worker):
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
            assert all(c["image"] == IMAGE for c in containers(deployment))
            assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
        svc = objects[("Service", f"{service}-api")]
        assert svc["spec"]["selector"].items() <= api["spec"]["template"]["metadata"]["labels"].items()
        assert svc["spec"]["ports"] == [{"name": "http", "port": 8000, "targetPort": "http"}]
        assert containers(api)[0]["ports"] == [{"name": "http", "containerPort": 8000}]


def test_k8s_gives_every_process_what_it_needs_from_the_secret_and_nothing_else_secret(objects):
    known = variables_config_reads()
    for service in SERVICES:
        for role in ("api", "worker"):
            env = env_of(containers(objects[("Deployment", f"{service}-{role}")])[0], objects)
            for name in needs(service):
                assert env.get(name) == f"secret:{name}", (service, role, name)
            assert not set(env) & other_databases(service), (service, role)
            secret = {name for name, source in env.items() if source.startswith("secret:")}
            assert secret == needs(service), (service, role)
            assert {n for n in env if n.startswith("GWH_")} <= known


def test_k8s_probes_the_apis_on_health_ready_and_live(objects):
    for service in SERVICES:
        api = containers(objects[("Deployment", f"{service}-api")])[0]
        assert api["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        assert api["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}


def test_k8s_scales_the_ranking_workers_on_cpu_from_2_to_10(objects):
    hpa = objects[("HorizontalPodAutoscaler", "ranking-worker")]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "ranking-worker"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    [metric] = hpa["spec"]["metrics"]
    assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"
    worker = objects[("Deployment", "ranking-worker")]
    # Utilization is a share of the request: without one the autoscaler cannot act.
    assert containers(worker)[0]["resources"]["requests"]["cpu"]
    # The autoscaler owns the count; a replicas field would reset it on every apply.
    assert "replicas" not in worker["spec"]


def test_k8s_gateway_runs_the_rendered_config_and_reaches_every_upstream_service(objects):
    gateway = objects[("Deployment", "gateway")]
    [nginx] = containers(gateway)
    assert nginx["image"].startswith("nginx:")
    volumes = {v["name"]: v for v in gateway["spec"]["template"]["spec"]["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in nginx["volumeMounts"]}
    config_map = objects[("ConfigMap", volumes["config"]["configMap"]["name"])]
    [key] = config_map["data"]
    assert nginx["command"] == ["nginx", "-c", f"{mounts['config']}/{key}"]
    assert config_map["data"][key] == render.render(render.K8S)
    # The rendered config writes under /tmp only: it must be writable on a read-only root.
    assert mounts["tmp"] == render.K8S.runtime_dir and nginx["securityContext"]["readOnlyRootFilesystem"] is True
    for upstream, address in render.K8S.hosts.items():
        host, port = address.split(":")
        assert objects[("Service", host)]["spec"]["ports"][0]["port"] == int(port), upstream
    service = objects[("Service", "gateway")]
    assert service["spec"]["selector"].items() <= gateway["spec"]["template"]["metadata"]["labels"].items()
    # Keeps client addresses, which the /internal/ allow list depends on.
    assert service["spec"]["externalTrafficPolicy"] == "Local"
    # The web client: copied from the application image into the volume nginx serves.
    [copy] = gateway["spec"]["template"]["spec"]["initContainers"]
    assert copy["image"] == IMAGE and "/app/web/" in copy["command"][-1]
    assert {m["name"]: m["mountPath"] for m in copy["volumeMounts"]} == {"web": "/web"}
    assert mounts["web"] == render.K8S.web_root and "emptyDir" in volumes["web"]


def test_k8s_health_app_asks_every_service_through_its_service_name(objects):
    [health] = containers(objects[("Deployment", "health")])
    assert health["command"] == ["gunicorn", "-b", "0.0.0.0:8000", "runtime.gateway:create_health_app()"]
    config = objects[("ConfigMap", "gwh-config")]["data"]
    env = {name: config[name] for name, source in env_of(health, objects).items() if source.startswith("config:")}
    assert gwh_config.load(env).service_urls == {s: f"http://{s}-api:8000" for s in SERVICES}
    assert ("Service", "health") in objects


def test_k8s_secret_is_a_template_of_placeholders_kept_out_of_the_applied_files(objects):
    secret = objects[("Secret", "gwh-secrets")]
    assert secret["_file"].startswith("templates/")
    assert set(secret["stringData"]) == set().union(*(needs(s) for s in SERVICES))
    for name, value in secret["stringData"].items():
        assert "CHANGE-ME" in value or name == "GWH_ADMIN_USERNAME", name
    assert gwh_config.load(objects[("ConfigMap", "gwh-config")]["data"]).queue_type == "quorum"


def test_workers_get_time_to_drain_on_stop(compose, objects):
    # compose's default is 10 s and Kubernetes' 30 s before SIGKILL; a worker finishing the
    # message in hand and flushing its outbox gets a minute.
    for service in SERVICES:
        assert compose["services"][f"{service}-worker"]["stop_grace_period"] == "60s"
        spec = objects[("Deployment", f"{service}-worker")]["spec"]["template"]["spec"]
        assert spec["terminationGracePeriodSeconds"] == 60


# --- health: what each probe means (shared/health.py, shared/probe.py) -----------------------

def test_compose_probes_each_worker_on_its_own_probe_port(compose):
    for service in SERVICES:
        worker = compose["services"][f"{service}-worker"]
        port = worker["environment"]["GWH_WORKER_PROBE_PORT"]
        assert gwh_config.load({"GWH_WORKER_PROBE_PORT": port}).worker_probe_port == 8001
        test = worker["healthcheck"]["test"]
        assert test[0] == "CMD" and f"http://127.0.0.1:{port}/health/ready" in " ".join(test)


def test_k8s_probes_each_worker_on_its_probe_port_live_and_ready(objects):
    for service in SERVICES:
        [worker] = containers(objects[("Deployment", f"{service}-worker")])
        [port] = worker["ports"]
        assert port == {"name": "probe", "containerPort": 8001}
        env = {e["name"]: e.get("value") for e in worker["env"]}
        assert int(env["GWH_WORKER_PROBE_PORT"]) == port["containerPort"]
        assert worker["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "probe"}
        assert worker["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "probe"}
        # A probe timeout must leave the probe's own checks (2 s connects) room to answer.
        assert worker["livenessProbe"]["timeoutSeconds"] >= 3


def test_ranking_workers_can_read_the_history_they_rebuild_from(compose, objects):
    """The store watch rebuilds from /internal/<service>/events of shop and order."""
    env = compose["services"]["ranking-worker"]["environment"]
    assert gwh_config.load(env).service_urls.items() >= {"shop": "http://shop-api:8000",
                                                         "order": "http://order-api:8000"}.items()
    config = objects[("ConfigMap", "gwh-config")]["data"]
    [worker] = containers(objects[("Deployment", "ranking-worker")])
    seen = {name: config[name] for name, source in env_of(worker, objects).items() if source.startswith("config:")}
    assert {"shop", "order"} <= set(gwh_config.load(seen).service_urls)
