"""How human tasks get answered and closed: the response service (``service``), what each
task kind's answer changes (``targets``, ``review``, ``feedback``, and ``effects`` with the
final-deadline policy), and the sweeper's logic (``sweeper``: reminders, escalations,
final deadlines, the clock's answers).

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``cycles``, ``audit``, ``outbox``,
``humantasks``, ``stages``, ``appeals``, ``citizens``.
"""
