"""Before anything starts: every server answers, the databases exist, nginx is installed.

Each check says which server, at which address (passwords hidden), from which variable,
and what went wrong, so `make cluster` fails with one clear message per missing piece
instead of a traceback from the first process that tried.
"""
from __future__ import annotations

import shutil
import subprocess
from urllib.parse import urlsplit, urlunsplit

from deploy.cluster.settings import Settings

TIMEOUT = 3  # seconds per server: a local one answers at once


class Unreachable(RuntimeError):
    """One message per server that is missing; start nothing."""


def hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def check_rabbitmq(url: str) -> str | None:
    from kombu import Connection
    try:
        with Connection(url, connect_timeout=TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT)
        return None
    except Exception as exc:
        text = f"{type(exc).__name__}: {exc}"
        vhost = urlsplit(url).path[1:] or "/"
        if "vhost" in text.lower() or "NOT_ALLOWED" in text:
            text += (f" (create the vhost with `rabbitmqctl add_vhost {vhost}` and give the user permissions"
                     f" with `rabbitmqctl set_permissions -p {vhost} USER '.*' '.*' '.*'`, or use the default vhost)")
        return f"RabbitMQ is not reachable at {hide_password(url)} (GWH_BUS_URL): {text}"


def check_redis(url: str) -> str | None:
    import redis
    try:
        client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
        return None
    except Exception as exc:
        return f"Redis is not reachable at {hide_password(url)} (GWH_REDIS_URL): {type(exc).__name__}: {exc}"


def _psycopg_url(url: str, database: str | None = None) -> str:
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    if database is not None:
        parts = parts._replace(path=f"/{database}")
    return urlunsplit(parts)


def ensure_database(url: str, variable: str) -> str | None:
    """Create the database `url` names if it is missing; None when it exists (or now does)."""
    import psycopg
    from psycopg import sql
    name = urlsplit(url).path.lstrip("/")
    if not name:
        return f"{variable}={hide_password(url)} names no database"
    try:
        with psycopg.connect(_psycopg_url(url, "postgres"), autocommit=True, connect_timeout=TIMEOUT) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return None
    except Exception as exc:
        return (f"PostgreSQL is not reachable, or refused to create database {name!r}, at "
                f"{hide_password(url)} ({variable}): {type(exc).__name__}: {str(exc).strip()}")


def nginx_binary(install: bool = True) -> str | None:
    """The nginx binary; as root with apt-get, Debian's nginx-light is installed when absent
    (as .ci/run does)."""
    found = shutil.which("nginx") or (shutil.which("nginx", path="/usr/sbin:/usr/local/sbin"))
    if found or not install:
        return found
    import os
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("nginx is missing: installing Debian's nginx-light", flush=True)
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "nginx-light"]):
            subprocess.run(command, check=False, timeout=300, stdout=subprocess.DEVNULL)
        return shutil.which("nginx", path="/usr/sbin:/usr/local/sbin:/usr/bin")
    return None


def check_port_free(host: str, port: int) -> str | None:
    import socket
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            return (f"the gateway's port {host}:{port} (GWH_PORT) is taken ({exc.strerror}): another "
                    f"`make cluster` or `make run`? Stop it, or choose another GWH_PORT")
    return None


def preflight(settings: Settings, *, install_nginx: bool = True) -> str:
    """Check everything, create what is missing; raise Unreachable naming every problem.

    Returns the nginx binary."""
    problems = [check_port_free(settings.host, settings.port), check_rabbitmq(settings.bus_url),
                check_redis(settings.redis_url)]
    failed_servers = set()  # one message per PostgreSQL server that does not answer, not one per database
    for service, url in sorted(settings.database_urls.items()):
        server = urlsplit(url).netloc
        if server in failed_servers:
            continue
        variable = f"GWH_{service.upper()}_DB_URL" if settings.passthrough.get(
            f"GWH_{service.upper()}_DB_URL") else "GWH_POSTGRES_URL"
        problem = ensure_database(url, variable)
        if problem:
            failed_servers.add(server)
        problems.append(problem)
    nginx = nginx_binary(install_nginx)
    if nginx is None:
        problems.append("nginx is not installed (Debian: `apt-get install nginx-light`)")
    problems = [p for p in problems if p]
    if problems:
        raise Unreachable("cannot start the cluster; nothing was started:\n  - " + "\n  - ".join(problems))
    return nginx
