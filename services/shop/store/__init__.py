"""The shop service's storage: tables (tables.py) and queries, one module per subject."""
from .tables import metadata

__all__ = ["metadata"]
