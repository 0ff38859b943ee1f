"""Deployment of the cluster mode: the nginx gateway config, Docker Compose, Kubernetes."""
