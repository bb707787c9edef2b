"""govsearch indexer: extraction, Chinese analysis, the Whoosh index and search.

Nothing in this package imports Flask; only ``schema``, ``build`` and ``search`` import Whoosh.
"""

__version__ = "0.1.0"
