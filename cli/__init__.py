"""The kinerja command line."""

import os

# Prefect gives its ephemeral API server 20 s to start; on a loaded 2-core machine that is
# not enough and a command dies before doing anything. Set before Prefect is imported, and
# only when the user has not chosen a value.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
