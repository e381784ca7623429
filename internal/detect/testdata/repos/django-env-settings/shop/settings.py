import os
import environ
env = environ.Env()
SECRET_KEY = os.environ["SECRET_KEY"]
DATABASES = {"default": env.db_url_config(env("DATABASE_URL"))}
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = ["*"]
STATIC_ROOT = "/app/staticfiles"
