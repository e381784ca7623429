from metrics import create_app

app = create_app()
