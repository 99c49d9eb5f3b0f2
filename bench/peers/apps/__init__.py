"""The peers' apps, set up as their documentation says; they run in the peers' environment.

What the bench and the apps share: the environment variables that place an app's data and
secret, the public client of django-oauth-toolkit, and how many sessions a user holds.
"""

DATA_DIR_VARIABLE = "PEER_DATA_DIR"
SECRET_KEY_VARIABLE = "PEER_SECRET_KEY"
DJANGO_PEER_VARIABLE = "PEER_DJANGO"
OAUTH_CLIENT_ID = "bench-native-app"
SESSIONS_PER_USER = 100
