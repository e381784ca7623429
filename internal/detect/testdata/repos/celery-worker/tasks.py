import os

from celery import Celery

app = Celery("tasks", broker=os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


@app.task
def fetch(url):
    import requests
    return requests.get(url, timeout=10).status_code
