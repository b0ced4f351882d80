"""WSGI entry point (serve with gunicorn sync/gthread workers, see performance notes)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
application = get_wsgi_application()
