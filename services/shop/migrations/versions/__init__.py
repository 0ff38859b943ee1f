"""One file per revision of the shop schema."""
