"""Kinerja: a workflow engine for the public-sector performance cycle, built on Prefect 3."""

__version__ = "0.1.0"
