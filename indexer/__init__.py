"""govsearch indexer: everything that touches documents and the index.

At the top, what every engine shares and no engine owns (records, extract, analysis, query,
ranking, params, highlight, docstore, lock); the engines are the packages ``whoosh/`` and
``sphinx/``, reached only through ``engines.py``. Nothing in this package imports Flask.
"""

__version__ = "0.1.0"
