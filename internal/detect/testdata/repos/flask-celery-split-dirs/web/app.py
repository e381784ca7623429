import os

from celery import Celery
from flask import Flask

app = Flask(__name__)
celery = Celery(broker=os.environ.get("REDIS_URL"))


@app.route("/")
def index():
    celery.send_task("tasks.ping")
    return "queued"
