from django.shortcuts import redirect
from django.urls import reverse


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
