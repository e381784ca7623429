import os, sys
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'web.settings')
