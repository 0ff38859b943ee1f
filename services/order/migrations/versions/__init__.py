"""One file per revision of the order schema."""
