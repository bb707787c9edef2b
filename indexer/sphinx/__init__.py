"""The sharded engine: a cluster of Sphinx 2.2.11 / Manticore ``searchd`` processes.

``backend.py`` is what ``indexer.engines`` calls; ``cluster.py`` describes the shards and the
front, ``conf.py`` writes their configs, ``process.py`` runs ``indexer`` and ``searchd``,
``feed.py`` turns Documents into what Sphinx indexes, ``build.py`` writes it all; at query time
``match.py`` turns the query tree into ``MATCH()``, ``connections.py`` speaks SphinxQL,
``ranked.py`` ranks a page over the shards, ``facets.py`` counts, and ``engine.py`` is the
``SphinxEngine``. Only modules of this package speak SphinxQL or import pymysql.
"""
