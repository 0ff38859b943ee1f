# make run    the whole platform, embedded mode, on http://127.0.0.1:8000 (nothing else needed)
# make test   every test: unit, API, in-process event flows, and integration tests against
#             RabbitMQ / PostgreSQL / Redis (testcontainers, or the GWH_TEST_* / local servers)
# make bench  the benchmarks; figures go to the README's benchmark section
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test unit integration bench nginx clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m runtime

test: install
	$(PY) -m pytest

unit: install
	$(PY) -m pytest -m "not integration"

integration: install
	$(PY) -m pytest -m integration

bench: install
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) -m bench

# Regenerate the nginx configs from the route table (a test checks they agree).
nginx: install
	$(PY) -m deploy.nginx.render > deploy/nginx/gouwuhao.conf
	$(PY) -m deploy.nginx.render --target k8s --configmap gateway-nginx --namespace gouwuhao > deploy/k8s/30-gateway-nginx.yaml

clean:
	rm -rf $(VENV) data .pytest_cache
