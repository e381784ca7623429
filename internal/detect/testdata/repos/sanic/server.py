from sanic import Sanic
from sanic.response import json

app = Sanic("ImageService")


@app.get("/")
async def index(request):
    return json({"hello": "world"})
