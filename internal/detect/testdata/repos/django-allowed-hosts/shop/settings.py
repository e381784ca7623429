ALLOWED_HOSTS = ["shop.example.com"]
ROOT_URLCONF = "shop.urls"
STATIC_ROOT = "/app/static"
