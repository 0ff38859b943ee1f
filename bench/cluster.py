"""The cluster mode under load: `make cluster` (deploy.cluster) started on a private corner of
this machine's servers, orders placed and paid through nginx from a few threads, each
process's resident memory read, and the cluster stopped.

Private corner: its own exchange (GWH_EXCHANGE), its own databases (GWH_DB_PREFIX, dropped
afterwards), the bench's own Redis database index, its own run directory and port. Nothing
shared is read or written.

Orders: each client thread places an order through a friend's shop (POST /api/orders; a
202 is polled until the owners answered, as the contract says), then pays it. The latency
is from the POST to the paid answer; the rate is paid orders over the wall time.
Memory: VmRSS of every process supervisord runs (gunicorn masters and workers, ranking
workers, the relays, nginx), after the load.
Reads: `GET /api/catalog/products` (a full page of 20 products) and one product's page
through nginx from wrk (Debian's package, a C load generator: a Python client would take
the core the services need), against nginx answering `GET /api` itself to the same client,
the ceiling of this machine's nginx and wrk.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import threading
import time
import uuid
from pathlib import Path

from bench.measure import discard, scratch

THREADS = 4
DURATION = 20.0
READ_SECONDS = 10
READ_CONNECTIONS = 16
PAGE = 20  # products on the list's first page (its default per_page)
ADMIN = ("gwh-bench-admin", "a-long-admin-password-1")
REDIS_URL = os.environ.get("GWH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/12"
POSTGRES_URL = os.environ.get("GWH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test").rsplit("/", 1)[0]
AMQP_URL = os.environ.get("GWH_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _children(root: int) -> list[int]:
    """Every process descended from `root`."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in parents.get(pid, []):
            out.append(child)
            todo.append(child)
    return out


def label(command: str, pid: int, root: int) -> str:
    """What a process is: `order API (gunicorn master)`, `ranking worker`, `nginx worker`."""
    if command.startswith("nginx"):
        return "nginx " + ("master" if "master" in command else "worker")
    for word in command.split():
        if word.startswith("services.") and ".app" in word:
            service = word.split(".")[1]
            if "gunicorn" in command:
                try:
                    parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    parent = root
                return f"{service} API (gunicorn {'master' if parent == root else 'worker'})"
            return f"{service} worker"
    if "health" in command:
        return "health app (gunicorn)"
    return command[:60]


def resident(root: int) -> list[tuple[str, float]]:
    """(command line, MB resident) of each process under supervisord."""
    from bench.memory import status_kb
    rows = []
    for pid in _children(root):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            rows.append((label(command, pid, root), status_kb(pid, "VmRSS") / 1024))
        except (OSError, LookupError):
            continue
    return sorted(rows)


def settings_env(run_dir: Path, port: int, tag: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GWH_")}
    env.update({
        "GWH_RUN_DIR": str(run_dir), "GWH_PORT": str(port),
        "GWH_BUS_URL": AMQP_URL, "GWH_POSTGRES_URL": POSTGRES_URL, "GWH_REDIS_URL": REDIS_URL,
        "GWH_EXCHANGE": f"gwh.bench.{tag}", "GWH_DB_PREFIX": f"gwhbench_{tag}_",
        "GWH_ADMIN_USERNAME": ADMIN[0], "GWH_ADMIN_PASSWORD": ADMIN[1],
        # One client address places every order and visit.
        "GWH_VISIT_LIMIT_PER_ADDRESS": "1000000/minute",
    })
    return env


def order_load(base_url: str, threads: int = THREADS, duration: float = DURATION):
    """(paid orders/s, latencies place->paid in s, failures, latencies paid->on the owner's
    ranking page in s) from `threads` clients and one probe."""
    from tests.support.cluster import Gateway
    from tests.support.shopping import feature, new_product, pay, place_order, register
    gw = Gateway(base_url, *ADMIN)
    product = new_product(gw, stock=1_000_000)
    friend, friend_token = register(gw, "friend")
    feature(gw, friend_token, product["id"])
    buyers = [register(gw, "buyer")[1] for _ in range(threads)]
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(token: str) -> None:
        own = Gateway(base_url, *ADMIN)
        while time.monotonic() < stop_at:
            began = time.perf_counter()
            try:
                order = place_order(own, token, product["id"], shop_id=friend)
                assert order["status"] == "awaiting_payment", order
                pay(own, token, order["id"])
            except Exception:  # counted, not hidden: the figure says how many failed
                with lock:
                    failures[0] += 1
                continue
            with lock:
                latencies.append(time.perf_counter() - began)

    # Purchase -> leaderboard: a shop of its own, bought through one order at a time while
    # the others load the platform; after each payment its owner's ranking page is polled
    # until the 30-day sales include it.
    probe_shop, probe_token = register(gw, "probe")
    feature(gw, probe_token, product["id"])
    probe_buyer = register(gw, "probebuyer")[1]
    board_latencies: list[float] = []

    def probe() -> None:
        own = Gateway(base_url, *ADMIN)
        expected = 0
        while time.monotonic() < stop_at:
            try:
                order = place_order(own, probe_buyer, product["id"], shop_id=probe_shop)
                paid = pay(own, probe_buyer, order["id"])
            except Exception:
                with lock:
                    failures[0] += 1
                continue
            expected += paid["total_cents"]
            after = time.perf_counter()
            while time.perf_counter() - after < 30:
                page = own.get(f"/api/ranking/members/{probe_shop}", token=probe_token)
                if page.status_code == 200 and ((page.json().get("stats") or {}).get("sales_cents_30d") or 0) >= expected:
                    board_latencies.append(time.perf_counter() - after)
                    break
                time.sleep(0.01)

    began = time.monotonic()
    workers = [threading.Thread(target=client, args=(token,), daemon=True) for token in buyers]
    workers.append(threading.Thread(target=probe, daemon=True))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(duration + 120)
    return len(latencies) / (time.monotonic() - began), latencies, failures[0], board_latencies


def wrk_binary() -> str | None:
    """wrk; as root with apt-get, Debian's package is installed when absent (as nginx is)."""
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(command, check=False, timeout=300, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    return found


def wrk(binary: str, url: str, seconds: int = READ_SECONDS, connections: int = READ_CONNECTIONS) -> dict:
    """Requests/s and the p99 latency (s) of `url` under wrk; every answer must be a 2xx."""
    out = subprocess.run([binary, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failures on {url}:\n{out}")
    units = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
    p99 = re.search(r"^\s*99%\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
    return {"rate": float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1)),
            "p99": float(p99.group(1)) * units[p99.group(2)]}


def read_load(base_url: str) -> dict | None:
    """wrk's figures for nginx's own answer, the list of products and a product's page."""
    binary = wrk_binary()
    if binary is None:
        return None
    from tests.support.cluster import Gateway
    from tests.support.shopping import new_product
    gw = Gateway(base_url, *ADMIN)
    products = [new_product(gw, stock=10) for _ in range(PAGE)]
    page = gw.get("/api/catalog/products").json()
    assert len(page["items"]) == PAGE, page  # a full page is what is measured
    return {"nginx": wrk(binary, base_url + "/api"),
            "list": wrk(binary, base_url + "/api/catalog/products"),
            "product": wrk(binary, f"{base_url}/api/catalog/products/{products[0]['id']}")}


def drop_private(tag: str, env: dict[str, str]) -> None:
    """Drop the cluster's databases and delete its exchange and queues."""
    import psycopg
    from psycopg import sql

    from runtime.topology import subscribers
    from shared.bus import Bus
    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as conn:
        for (name,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                    (f"gwhbench_{tag}_%",)).fetchall():
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    bus = Bus(AMQP_URL, exchange=env["GWH_EXCHANGE"])
    try:
        bus.delete(list(subscribers()))
    finally:
        bus.close()


def run(threads: int = THREADS, duration: float = DURATION) -> dict:
    from deploy.cluster.launcher import Cluster, free_port
    from deploy.cluster.settings import Settings
    tag = uuid.uuid4().hex[:8]
    run_dir = scratch("cluster")
    env = settings_env(run_dir, free_port(), tag)
    cluster = Cluster(Settings.from_env(env))
    import redis
    redis.Redis.from_url(REDIS_URL).flushdb()
    try:
        cluster.start()
        reads = read_load(cluster.settings.gateway_url)
        rate, latencies, failures, board = order_load(cluster.settings.gateway_url, threads, duration)
        memory = resident(cluster.supervisord_pid())
    finally:
        cluster.stop()
        drop_private(tag, env)
        redis.Redis.from_url(REDIS_URL).flushdb()
        discard(run_dir)
    return {"paid_per_second": rate, "orders": len(latencies), "failures": failures, "threads": threads,
            "p50": quantile(latencies, 0.5), "p99": quantile(latencies, 0.99),
            "mean": statistics.fmean(latencies) if latencies else float("nan"),
            "board_p50": quantile(board, 0.5), "board_p99": quantile(board, 0.99), "board_samples": len(board),
            "memory": memory, "reads": reads}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def bench_cluster(results, n: int) -> None:
    """Rows of `make bench`: orders through nginx and each process's memory, cluster mode."""
    from bench.measure import Row
    try:
        figures = run()
    except Exception as exc:  # a server missing, nginx not installable: say so under the table
        results.skipped.append(f"cluster mode ({type(exc).__name__}: {exc})")
        return
    results.rows.append(Row(f"cluster: paid orders through nginx, {figures['threads']} clients (orders/s; "
                            "raw column: the target)", 50, figures["paid_per_second"]))
    results.rows.append(Row("cluster: place -> paid p99 (s; raw column: the target)", 0.3, figures["p99"], unit="s"))
    results.rows.append(Row("cluster: place -> paid p50 (s; raw column: the target)", 0.3, figures["p50"], unit="s"))
    results.rows.append(Row("cluster: paid -> on the shop owner's ranking page p99 (s; raw column: the target)",
                            0.5, figures["board_p99"], unit="s"))
    reads = figures["reads"]
    if reads is None:
        results.skipped.append("cluster reads through nginx (wrk is not installed, and could not be)")
    else:
        nginx = reads["nginx"]["rate"]
        results.rows.append(Row(f"cluster: GET /api/catalog/products through nginx, {PAGE} a page (req/s; "
                                "raw column: the target)", 1000, reads["list"]["rate"]))
        results.rows.append(Row(f"cluster: GET /api/catalog/products through nginx, {PAGE} a page (req/s; "
                                "raw column: nginx answering GET /api itself)", nginx, reads["list"]["rate"]))
        results.rows.append(Row("cluster: GET a product through nginx (req/s; raw column: nginx answering "
                                "GET /api itself)", nginx, reads["product"]["rate"]))
        results.rows.append(Row("cluster: GET /api/catalog/products through nginx p99 (ms; raw column: "
                                "nginx answering GET /api itself)", reads["nginx"]["p99"] * 1000,
                                reads["list"]["p99"] * 1000, unit="ms"))
        results.notes.append(f"cluster reads: wrk, 2 threads, {READ_CONNECTIONS} connections, {READ_SECONDS} s "
                             "per path, every answer a 2xx.")
    for command, mb in figures["memory"]:
        results.rows.append(Row(f"cluster memory: {command} (MB)", mb, mb, unit="MB"))
    results.notes.append(f"cluster: `make cluster` on a private exchange, databases and Redis index; "
                         f"{figures['orders']} orders placed and paid through nginx ({figures['failures']} failed), "
                         "then each process's VmRSS.")


if __name__ == "__main__":
    import logging
    import sys
    logging.basicConfig(level=logging.ERROR)
    figures = run(int(sys.argv[1]) if len(sys.argv) > 1 else THREADS,
                  float(sys.argv[2]) if len(sys.argv) > 2 else DURATION)
    for command, mb in figures.pop("memory"):
        print(f"{mb:7.1f} MB  {command}")
    print(figures.pop("reads"))
    print(figures)
