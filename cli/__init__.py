"""The kinerja command line."""

import os
import sys

# Prefect gives its ephemeral API server 20 s to start; on a loaded 2-core machine that is
# not enough and a command dies before doing anything. Set before Prefect is imported, and
# only when the user has not chosen a value.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# The local API is the CLI's own detail: its server logs stay quiet unless asked for (a
# failure still ends in one line; --debug shows everything).
if "--debug" not in sys.argv and os.environ.get("KINERJA_DEBUG", "") not in ("1", "true"):
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
