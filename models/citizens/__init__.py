"""Citizens' voice: the SKM survey online (``survey``), complaints with their service levels
and the officer's task (``complaints``), the working-day calendar (``calendar``), and the
figures published from both (``figures``).

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``imports``, ``cycles``, ``audit``,
``outbox``, ``humantasks``.
"""
