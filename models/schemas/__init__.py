"""The shapes of data that cross Kinerja's doors, as strict Pydantic models.

The cycle config (``config``: cycle.yaml, and reading YAML into strict models), one typed
input per human action (``inputs``), the HR coordinator's requests (``requests``: an HR task
action, a gate signature) and the per-item results of an HR action (``itemresult``). The
portal, the CLI and the Prefect forms validate with the same models.

May import: nothing else of ``kinerja.models``.
"""
