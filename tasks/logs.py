"""The logger a task writes what it did to: the Prefect run's logger inside a flow or task
run (so the run's page in the UI shows it), else a plain module logger (the task's
function called directly, as the CLI and some tests do)."""

from __future__ import annotations

import logging


def run_logger(fallback: str) -> logging.Logger | logging.LoggerAdapter:
    """Prefect's run logger when there is a run, else ``logging.getLogger(fallback)``."""
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(fallback)
