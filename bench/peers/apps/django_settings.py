"""Settings of the two Django peers: `startproject`'s, with DEBUG off and the peer's apps.

PEER_DJANGO picks the peer: `simplejwt` (Django REST framework with simplejwt, refresh
tokens rotated and the used one blacklisted) or `oauth_toolkit` (django-oauth-toolkit with
its defaults, which rotate refresh tokens). The database is Django's default SQLite
connection: rollback journal, SQLite's own synchronous=FULL, a connection per request.
"""

import os
from pathlib import Path

from bench.peers.apps import DATA_DIR_VARIABLE, DJANGO_PEER_VARIABLE, SECRET_KEY_VARIABLE

PEER = os.environ[DJANGO_PEER_VARIABLE]
PEER_APPS = {
    "simplejwt": ["rest_framework", "rest_framework_simplejwt.token_blacklist"],
    "oauth_toolkit": ["oauth2_provider"],
}

SECRET_KEY = os.environ[SECRET_KEY_VARIABLE]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    *PEER_APPS[PEER],
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = f"bench.peers.apps.{PEER}_urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path(os.environ[DATA_DIR_VARIABLE]) / "db.sqlite3",
    }
}

USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ),
}

SIMPLE_JWT = {
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
