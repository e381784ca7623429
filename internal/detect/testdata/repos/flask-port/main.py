import os
from flask import Flask

application = Flask(__name__)


@application.get("/")
def hello():
    return "hi"


if __name__ == "__main__":
    application.run(host="0.0.0.0", port=8081)
