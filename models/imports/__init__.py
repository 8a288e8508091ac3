"""Importers for the files people bring: CSV or .xlsx, all-or-nothing."""
