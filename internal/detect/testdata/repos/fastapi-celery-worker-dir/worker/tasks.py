from worker.celery_app import celery


@celery.task
def build_report():
    return "done"
