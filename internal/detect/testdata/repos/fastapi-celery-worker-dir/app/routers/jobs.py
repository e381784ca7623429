from fastapi import APIRouter

from worker.tasks import build_report

router = APIRouter()


@router.post("/reports")
def create():
    return {"id": build_report.delay().id}
