"""Human tasks: the explicit state machine and who may act (``states``), opening tasks in
bulk (``opening``), signed portal links (``links``), the messages transitions cause
(``messages``), absences (``absences``) and the delegations they cause (``delegations``),
deadline extensions (``extensions``) and the HR coordinator's actions (``admin``).

How a task is answered is ``responses``, above this package.

May import: ``store``, ``schemas``, ``cycles``, ``audit``, ``outbox``.
"""
