"""The domain: what a performance cycle is and does, without Prefect or Apprise.

Subpackages, lowest first; each may import only those before it that its docstring names
(``tests/test_layering.py`` holds the map and checks it):

- ``store``: the database: engines and sessions, the tables, portable bulk SQL, migrations,
  the clock.
- ``schemas``: the shapes that cross the doors: cycle config, typed inputs of human actions,
  the HR coordinator's requests.
- ``policy``: the policy pack, section by section, and how packs are loaded.
- ``rules``: pure functions that apply a pack (no I/O, no database).
- ``imports``: the file importers (CSV, xlsx), all-or-nothing.
- ``audit``: the hash-chained audit log and its verification.
- ``cycles``: a cycle's life: its snapshot, stages, chunks, clock, files and status views.
- ``outbox``: notifications: templates, the queue, routes, recipients, the dispatcher's claims.
- ``humantasks``: the task state machine, opening tasks, signed links, their messages,
  absences and delegations, extensions, HR administration.
- ``stages``: each stage's automated work, one module per stage, and the coordinator gates.
- ``results``: a cycle's results as files, and the derivation of one result.
- ``appeals``: keberatan: filing, deciding, and what an upheld appeal recalculates.
- ``responses``: the response service, each task kind's effect, and the sweeper.
- ``scenarios``: generated organisations, loading them, and simulated people.
"""
