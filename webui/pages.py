"""HTML pages blueprint. PROVISIONAL: filled by the web page work item."""

from flask import Blueprint

bp = Blueprint("pages", __name__)
