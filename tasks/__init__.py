"""Prefect tasks: one unit of work each, set-based over a chunk, idempotent."""
