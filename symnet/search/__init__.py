"""The search side: code that finds proofs, refutations, degrees, regions and ranks.

Nothing here is trusted.  The searches build the result objects of
:mod:`symnet.results`, each holding a certificate that :mod:`symnet.kernel`
re-checks without importing this package.
"""
