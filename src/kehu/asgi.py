"""ASGI entry point; prefer WSGI (gunicorn) for Django's sync views, which are faster here."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
application = get_asgi_application()
