"""`python -m services.shop.app create-admin NAME` as an operator runs it from a script:
no terminal, no GWH_ADMIN_PASSWORD. It says what it needs and fails, without a traceback."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(tmp_path, *args, stdin=subprocess.DEVNULL, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GWH_")}
    environ.update(GWH_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run([sys.executable, "-m", "services.shop.app", "create-admin", *args], cwd=ROOT,
                          env=environ, stdin=stdin, capture_output=True, text=True, timeout=60)


def test_without_a_terminal_or_password_it_says_what_it_needs(tmp_path):
    result = _run(tmp_path, "ops")
    assert result.returncode != 0
    assert "GWH_ADMIN_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr and "EOFError" not in result.stderr


def test_with_the_variable_it_creates_the_admin_and_a_refusal_fails(tmp_path):
    created = _run(tmp_path, "ops", GWH_ADMIN_PASSWORD="a long password")
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("admin ops created")
    refused = _run(tmp_path, "x", GWH_ADMIN_PASSWORD="a long password")  # a username too short
    assert refused.returncode != 0
    assert "refused" in refused.stderr
