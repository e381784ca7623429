from flask import Blueprint

bp = Blueprint("views", __name__)


@bp.get("/health")
def health():
    return {"status": "ok"}
