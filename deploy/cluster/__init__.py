"""`make cluster`: the cluster topology of deploy/README.md as local processes.

Four gunicorn APIs, the event workers (two for ranking by default), the /health app and
nginx as the gateway, run by supervisord (supervisor, pinned in pyproject.toml) on the
machine's RabbitMQ, PostgreSQL and Redis. Everything it writes (the supervisord and nginx
configs, pid files, control sockets, logs) lives under one run directory.

    python -m deploy.cluster start     # check the servers, create the databases, start, wait for /health
    python -m deploy.cluster status    # every process, as supervisord sees it
    python -m deploy.cluster stop      # stop what start started

Tests start and stop it through `deploy.cluster.launcher.Cluster`.
"""
