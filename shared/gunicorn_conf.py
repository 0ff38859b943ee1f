"""gunicorn's settings for every API and the health app: `gunicorn -c python:shared.gunicorn_conf`.

(The repository's gunicorn.conf.py, which gunicorn reads by default from the directory it
starts in, is this module too.)

- Logs: the same lines as every other process (shared/logs.py), gunicorn's own included.
- Metrics: gunicorn answers each request from one of several worker processes, so each
  keeps its counters in files under PROMETHEUS_MULTIPROC_DIR and `/metrics` adds them all
  up (prometheus-client's multiprocess mode). Unset, each master makes its own directory
  (two masters sharing one would add up each other's counters) and removes it on exit; set,
  it must be one directory per master, and what an earlier run left there is cleared at
  start. A worker that exits has its live gauges dropped (`mark_process_dead`); its
  counters stay counted.
"""
from __future__ import annotations

import glob
import os
import shutil
import tempfile

# Before prometheus_client is imported anywhere in this process or the workers it forks:
# it picks its storage when first imported.
_OWN_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gwh-metrics-")
MULTIPROC_DIR = os.environ["PROMETHEUS_MULTIPROC_DIR"]

from shared import logs  # noqa: E402  (after the environment is set)
from shared import malloc  # noqa: E402

# In the master, before it forks: every worker inherits the allocator settings.
malloc.tune()

logconfig_dict = logs.dict_config()


def on_starting(server) -> None:
    os.makedirs(MULTIPROC_DIR, exist_ok=True)
    for stale in glob.glob(os.path.join(MULTIPROC_DIR, "*.db")):
        os.remove(stale)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _OWN_DIR:
        shutil.rmtree(MULTIPROC_DIR, ignore_errors=True)
