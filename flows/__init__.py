"""Prefect flows: the cycle and its stages, the sweeper."""
