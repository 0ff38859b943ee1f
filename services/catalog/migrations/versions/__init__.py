"""One file per revision of the catalog schema."""
