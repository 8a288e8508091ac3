"""A cycle's life: created with its config and pack snapshot, its stages' state, chunks of
employees and its own clock (``cycle``); its files imported with its pack's rules
(``files``); read-only views for people (``reports``).

May import: ``store``, ``schemas``, ``policy``, ``imports``.
"""
