"""Appeals (keberatan): filing (``filing``), the decision (``deciding``), what an upheld
appeal recalculates for the appellant (``recalculation``) and the message that tells them
(``outcome``).

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``cycles``, ``audit``, ``outbox``,
``humantasks``, ``stages``, ``results``.
"""
