"""The embedded engine: one Whoosh index per generation directory, searched in this process.

``backend.py`` is what ``indexer.engines`` calls; ``build.py`` (with ``workers.py`` and
``segments.py``) writes a generation, ``layout.py`` says where it lives on disk, ``schema.py``
what Whoosh indexes, ``reader.py`` reads its postings into numpy, ``scoring.py`` and
``facets.py`` rank and count over them, and ``engine.py`` is the ``SearchEngine``. Only modules
of this package import Whoosh.
"""
