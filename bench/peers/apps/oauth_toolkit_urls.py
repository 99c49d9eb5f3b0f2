"""django-oauth-toolkit's routes as its documentation installs them, under /o/."""

from django.urls import include, path

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
