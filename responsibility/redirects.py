"""Where a POST may send the user back to: only a path of this site, never another host.

Forms carry `next` (the page to return to) as a hidden field, so anybody can post any value. A
value is followed only when it is a path on this site: it starts with a single "/", names no host
and no scheme (so not "//evil.example", "/\\evil.example" nor "https://evil.example/"), and holds
no control character. Anything else goes to the view's own fallback.
"""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_own_path(url: str | None) -> bool:
    """Whether `url` is a path of this site (relative to its root), safe to redirect to."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in url):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts=set())


def redirect_back(request, fallback: str, *args):
    """Redirect to the posted `next` if it is one of this site's paths, else to `fallback` (a URL or name)."""
    back = request.POST.get("next", "")
    return redirect(back) if is_own_path(back) else redirect(fallback, *args)
