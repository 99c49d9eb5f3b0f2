"""`python -m bench.peers.apps.seed PEER SESSIONS FILE`: live refresh tokens for a peer.

Run in the peers' environment before the peer's server starts, with the same environment
variables. It creates the peer's tables, users (SESSIONS_PER_USER sessions each) and
SESSIONS refresh tokens through the peer's own API, one a line in FILE, and prints the
journal mode and synchronous level of the peer's own database connection as JSON.
"""

import json
import math
import sys
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.peers.apps import OAUTH_CLIENT_ID, SESSIONS_PER_USER

SYNCHRONOUS = {0: "off", 1: "normal", 2: "full", 3: "extra"}


def usernames(sessions: int) -> list[str]:
    return [f"user-{n}" for n in range(math.ceil(sessions / SESSIONS_PER_USER))]


def storage(journal_mode: str, synchronous: int) -> dict[str, str]:
    return {"journal_mode": journal_mode.lower(), "synchronous": SYNCHRONOUS[synchronous]}


def django_storage() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
    return storage(journal_mode, synchronous)


def django_users(sessions: int) -> list[Any]:
    """Migrate, then make the users (with unusable passwords: nobody signs in)."""
    import django
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    user = get_user_model()
    return user.objects.bulk_create(
        [user(username=name, password=make_password(None)) for name in usernames(sessions)]
    )


def simplejwt(sessions: int) -> list[str]:
    """Refresh tokens as simplejwt issues them at sign-in, each listed as outstanding."""
    users = django_users(sessions)
    from django.db import transaction
    from rest_framework_simplejwt.tokens import RefreshToken

    with transaction.atomic():
        return [str(RefreshToken.for_user(users[n % len(users)])) for n in range(sessions)]


def oauth_toolkit(sessions: int) -> list[str]:
    """A public native client, and access and refresh tokens stored as a grant stores them."""
    users = django_users(sessions)
    from django.db import transaction
    from django.utils import timezone
    from oauth2_provider.models import (
        AccessToken,
        Application,
        RefreshToken,
        set_token_value,
    )
    from oauth2_provider.settings import oauth2_settings
    from oauthlib.common import generate_token

    expires = timezone.now() + timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    tokens = []
    with transaction.atomic():
        client = Application.objects.create(
            name="bench native app",
            client_id=OAUTH_CLIENT_ID,
            client_type=Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris="http://127.0.0.1/callback",
        )
        for n in range(sessions):
            user = users[n % len(users)]
            access = AccessToken(user=user, application=client, scope="read write", expires=expires)
            set_token_value(access, generate_token())
            access.save()
            refresh = RefreshToken(
                user=user, application=client, access_token=access, token_family=uuid.uuid4()
            )
            tokens.append(generate_token())
            set_token_value(refresh, tokens[-1])
            refresh.save()
    return tokens


def flask(sessions: int) -> tuple[list[str], dict[str, str]]:
    """The blocklist table, and refresh tokens as create_refresh_token makes them."""
    from flask_jwt_extended import create_refresh_token
    from sqlalchemy import text

    from bench.peers.apps.flask_app import app, db

    names = usernames(sessions)
    with app.app_context():
        db.create_all()
        tokens = [create_refresh_token(identity=names[n % len(names)]) for n in range(sessions)]
        journal_mode = db.session.execute(text("PRAGMA journal_mode")).scalar()
        synchronous = db.session.execute(text("PRAGMA synchronous")).scalar()
    return tokens, storage(journal_mode, synchronous)


def django_peer(issue: Callable[[int], list[str]]) -> Callable[[int], tuple[list[str], dict]]:
    return lambda sessions: (issue(sessions), django_storage())


SEEDERS = {
    "simplejwt": django_peer(simplejwt),
    "oauth_toolkit": django_peer(oauth_toolkit),
    "flask": flask,
}


def main(argv: list[str]) -> int:
    peer, sessions, out = argv[0], int(argv[1]), Path(argv[2])
    tokens, described = SEEDERS[peer](sessions)
    out.write_text("".join(f"{token}\n" for token in tokens))
    print(json.dumps(described))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
