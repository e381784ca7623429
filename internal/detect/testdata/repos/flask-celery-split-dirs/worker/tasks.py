import os

from celery import Celery

app = Celery("tasks", broker=os.environ.get("REDIS_URL"))


@app.task(name="tasks.ping")
def ping():
    return "pong"
