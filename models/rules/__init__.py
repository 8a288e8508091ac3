"""Pure rules that apply a policy pack: plain data in, plain data out (no I/O).

One module per rule (``achievement``, ``rating``, ``predikat``, ``distribution``,
``orgpredikat``, ``ikm``, ``sample``, ``training``, ``incentive``, ``credit``); each returns
its value with the steps that derived it (``base.Derived``), which ``kinerja explain``
prints.

May import: ``policy`` (the pack sections it applies, and exact numbers).
"""
