"""Notifications, the transactional outbox: message templates (``templates``), idempotent
enqueueing (``queue``), counts for ops (``status``), the routes to Apprise URLs
(``routes``), who a message reaches (``recipients``) and the dispatcher's claims and
outcomes (``claims``). Sending itself is kinerja.tasks.delivery.

May import: ``store``, ``schemas``, ``cycles``.
"""
