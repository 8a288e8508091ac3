"""The web portal (signed-link task pages)."""
