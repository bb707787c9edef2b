"""``GET /files/<id>``: the original file of an indexed attachment (``indexer.files`` decides
which file that may be; nothing else is ever served)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, send_file

from indexer.errors import DocumentNotFoundError
from indexer.files import original_file

from .api import DOC_ID
from .engine import get_engine

bp = Blueprint("files", __name__)


@bp.get("/files/<doc_id>", provide_automatic_options=False)
def download(doc_id: str) -> Response:
    if ".." in doc_id or not DOC_ID.fullmatch(doc_id):
        raise DocumentNotFoundError("no downloadable file has this id")
    engine = get_engine()
    found = original_file(engine.get(doc_id), engine.corpus_root())
    response = send_file(found.path, mimetype=found.mimetype, conditional=True, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(found.name, doc_id)
    return response  # nosniff comes with every response (app.SECURITY_HEADERS)


def content_disposition(name: str, doc_id: str) -> str:
    """``attachment`` with the file's own name as RFC 5987 ``filename*`` (UTF-8), and an ASCII
    ``filename`` for old clients: the name itself when it is plain ASCII, else the document id
    with the name's suffix (Werkzeug's fallback strips the Chinese and leaves ``2:.pdf`` of
    ``附件2：部门决算模板.pdf``)."""
    suffix = Path(name).suffix
    plain = name.isascii() and not set(name) & set('"\\;\r\n')
    fallback = name if plain else f"{doc_id}{suffix if suffix.isascii() else ''}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
