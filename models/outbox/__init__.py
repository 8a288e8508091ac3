"""Notifications, the transactional outbox: message templates (``templates``), idempotent
enqueueing (``queue``), counts for ops (``status``), the routes to Apprise URLs
(``routes``), who a message reaches (``recipients``), the dispatcher's claims and
outcomes (``claims``), and dead or stuck rows: ops alerts and re-queueing by an operator
(``recovery``). Sending itself is kinerja.tasks.delivery.

May import: ``store``, ``schemas``, ``cycles``, ``audit``.
"""
