"""``GET /files/<id>``: the original file of an indexed attachment (``indexer.files`` decides
which file that may be; nothing else is ever served)."""

from __future__ import annotations

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
    # Werkzeug writes the Chinese name as RFC 5987 ``filename*=UTF-8''…`` beside an ASCII
    # ``filename`` fallback; nosniff comes with every response (app.SECURITY_HEADERS)
    return send_file(
        found.path,
        mimetype=found.mimetype,
        as_attachment=True,
        download_name=found.name,
        conditional=True,
        max_age=0,
    )
