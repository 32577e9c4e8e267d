"""The search side: code that finds proofs, refutations, degrees, regions and ranks.

Nothing here is trusted.  Each result carries a certificate that
:mod:`symnet.kernel` re-checks without importing this package.
"""
