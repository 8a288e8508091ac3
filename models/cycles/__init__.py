"""A cycle's life: created with its config and pack snapshot, its stages' state, chunks of
employees and its own clock (``cycle``); its files imported with its pack's rules
(``files``); realisation per target and period with its history (``measurements``);
read-only views for people (``reports``).

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``imports``, ``audit``.
"""
