"""How human tasks get answered and closed: the response service (``service``, one answer
or a batch), what each task kind's answer changes (``bulk``: set-based per kind; ``effects``:
one task at a time, with ``targets``, ``review`` and ``checkin``), the final-deadline policy
(``expiry``), and the sweeper's logic (``sweeper``: reminders, escalations, final
deadlines).

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``cycles``, ``audit``, ``outbox``,
``humantasks``, ``stages``, ``appeals``, ``citizens``.
"""
