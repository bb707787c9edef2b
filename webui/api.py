"""JSON API blueprint. PROVISIONAL: filled by the API work item."""

from flask import Blueprint

bp = Blueprint("api", __name__)
