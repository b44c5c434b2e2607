from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def home(request: HttpRequest) -> JsonResponse:
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"logged_in": False})
    social = user.social_auth.get()  # type: ignore[union-attr]
    return JsonResponse(
        {
            "logged_in": True,
            "username": user.get_username(),
            "uid": social.uid,
            "provider": social.provider,
        }
    )


def login_failed(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"logged_in": False, "error": "the login failed"}, status=403)


urlpatterns = [
    path("", home),
    path("login-failed/", login_failed),
    path("", include("social_django.urls", namespace="social")),
]
