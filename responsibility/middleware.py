import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse


class ContentSecurityPolicyMiddleware:
    """Every response says where its scripts, styles, images and fonts may come from
    (settings.CONTENT_SECURITY_POLICY): this site only, no inline script, no other host. A view
    may set its own header; it is left as it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """A request declaring a body over settings.MAX_REQUEST_BYTES is refused (413) before anything
    reads it: the app's own limit, behind the proxy's (README, Deploying). Django limits a form's
    fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not the files in it; each file has its own limit too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BYTES:
            # Rendered without the request: this runs before the session and the user are known.
            page = render_to_string(
                "request_too_large.html", {"limit": filesizeformat(settings.MAX_REQUEST_BYTES)}
            )
            return HttpResponse(page, status=413)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A user holding a one-time password can do nothing but change it (or log out)."""

    allowed = ("password_change", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.must_change_password:
            allowed_paths = {reverse(name) for name in self.allowed}
            if request.path not in allowed_paths and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


# When the session was last saved, in seconds since the epoch.
REFRESHED_AT = "_refreshed_at"


class SessionRefreshMiddleware:
    """Idle expiry without writing the session on every request.

    A logged-in session is saved (pushing its expiry SESSION_COOKIE_AGE ahead, in the database and
    in the cookie) when it was last saved SESSION_REFRESH_SECONDS ago or more, or when something
    else changed it; other requests write nothing. Idle expiry therefore comes between
    SESSION_COOKIE_AGE minus SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last request.
    Sits below SessionMiddleware, so that its response runs before the session is saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        if SESSION_KEY in session:  # logged in (after a logout the session is empty: nothing to keep)
            now = int(time.time())
            if session.modified or now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = now
        return response


def stamp_session_refresh(sender, request, user, **kwargs):
    """On login (user_logged_in, connected in apps.py): the session is about to be saved, so the
    next requests need not save it again within SESSION_REFRESH_SECONDS."""
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED_AT] = int(time.time())
