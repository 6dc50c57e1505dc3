"""`make bench` (SPEC §10): the service measured at national scale, on a PostgreSQL database of its own."""
