from fastapi import FastAPI

app = FastAPI(title="search-api")


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.get("/search")
def search(q: str):
    return {"q": q, "results": []}
