"""The policy pack: the rules of a cycle as validated data (configs/policies/*.yaml).

One module per section (``identifiers``, ``scoring``, ``distribution``, ``org_predikat``, ``ikm``,
``training`` with its ``catalogue``, ``pay`` with the incentive ``formula`` language), the
whole pack (``pack``) and its loading, versions and hash (``loading``).

May import: ``schemas``.
"""
