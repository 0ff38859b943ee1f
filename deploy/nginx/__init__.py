"""The nginx gateway: its config is rendered from shared.routes (render.py)."""
