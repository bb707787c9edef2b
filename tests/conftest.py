from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_CORPORA = REPO.parent / "shared" / "corpora"
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    """../shared/corpora, read-only; tests that need it skip cleanly when it is absent."""
    if not SHARED_CORPORA.is_dir():
        pytest.skip("../shared/corpora is not available")
    return SHARED_CORPORA


@pytest.fixture(scope="session")
def api_client(sample_index: Path):
    """A Flask test client of the whole app (API + pages) over ``sample_index``."""
    from webui.app import close_engine, create_app

    app = create_app({"INDEX": str(sample_index), "TESTING": True})
    yield app.test_client()
    close_engine(app)
