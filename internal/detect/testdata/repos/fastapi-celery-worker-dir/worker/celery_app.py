import os

from celery import Celery

celery = Celery("worker", broker=os.environ.get("REDIS_URL", "redis://localhost:6379/0"), include=["worker.tasks"])
