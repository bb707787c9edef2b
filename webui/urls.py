"""The site's absolute base URL, for the links that must be absolute (feed, CSV, OpenAPI).

It comes from configuration only: ``PUBLIC_URL`` (``GOVSEARCH_PUBLIC_URL``) when the site is
reached through a proxy or a name of its own, else the address the server itself listens on.
Never from the request: the ``Host`` / ``X-Forwarded-*`` headers are whatever the client sent,
and a feed or CSV built from them hands a cache or a feed reader links to the client's host.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

#: addresses that mean "every interface": not a place a link can point to
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})


def checked_public_url(value: str) -> str:
    """``value`` as a base URL ending in ``/``, or ValueError saying what is wrong with it."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"GOVSEARCH_PUBLIC_URL={value}: expected an http(s) URL such as "
            "https://search.example.gov.cn/"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            f"GOVSEARCH_PUBLIC_URL={value}: no query, fragment or user name allowed in it"
        )
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def base_url(public_url: str, host: str, port: int) -> str:
    """The configured public URL, else ``http://host:port/`` of the server itself."""
    if public_url:
        return checked_public_url(public_url)
    if host in _WILDCARD_HOSTS:
        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}/"
