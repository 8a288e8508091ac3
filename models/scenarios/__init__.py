"""Scenarios: a whole synthetic organisation and its year as the files people bring
(``generator``, with its ``words``, seeded ``draws``, the organisation's ``shape``, the file
``writer`` and the ``policy_inputs``), loading a scenario (``loading``) and simulated people
who answer through the response service (``simulation``).

May import: ``store``, ``schemas``, ``policy``, ``rules``, ``imports``, ``cycles``,
``audit``, ``humantasks``, ``responses``.
"""
