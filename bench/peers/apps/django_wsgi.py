"""The WSGI entry point of the Django peers, as `startproject` writes it, for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peers.apps.django_settings")

application = get_wsgi_application()
