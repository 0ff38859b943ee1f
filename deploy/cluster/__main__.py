"""`python -m deploy.cluster start|stop|status` (make cluster, make cluster-stop)."""
from __future__ import annotations

import shlex
import sys

from deploy.cluster.launcher import Cluster, ClusterError
from deploy.cluster.servers import Unreachable, hide_password
from deploy.cluster.settings import Settings

USAGE = "usage: python -m deploy.cluster start|stop|status|env"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("start", "stop", "status", "env"):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    cluster = Cluster(settings)
    if argv[0] == "status":
        print(cluster.status())
        return 0
    if argv[0] == "env":
        # For one-off commands against the running cluster:
        #   eval "$(python -m deploy.cluster env)"; python -m services.ranking.app rebuild
        if not cluster.running():
            print(f"no cluster is running from {settings.run_dir}", file=sys.stderr)
            return 1
        env = cluster.environment(cluster.ports())
        print("\n".join(f"export {k}={shlex.quote(v)}" for k, v in sorted(env.items()) if k.startswith("GWH_")))
        return 0
    if argv[0] == "stop":
        print("stopped" if cluster.stop() else f"no cluster is running from {settings.run_dir}")
        return 0
    try:
        cluster.start()
    except (Unreachable, ClusterError) as exc:
        print(exc, file=sys.stderr)
        return 1
    s = settings
    print(f"Gouwuhao cluster is up on {s.gateway_url} (health: {s.gateway_url}/health)\n"
          f"  RabbitMQ   {hide_password(s.bus_url)}\n"
          f"  Redis      {hide_password(s.redis_url)}\n"
          + "".join(f"  {name:<10} {hide_password(url)}\n" for name, url in sorted(s.database_urls.items()))
          + f"  APIs: {', '.join(f'{k} x{v}' for k, v in s.api_workers.items())} gunicorn workers;"
          f" ranking workers: {s.ranking_workers}\n"
          f"  run dir    {s.run_dir} (logs/, supervisord.conf, nginx/)\n"
          f"{cluster.status()}"
          f"Stop it with: make cluster-stop")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
