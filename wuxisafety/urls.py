from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from assessment.home import views as home_views
from responsibility import account_views


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages that name no icon (the printable letter and ranking)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")  # at request time: the manifest exists only after collectstatic


admin.site.site_header = admin.site.site_title = "安全生产责任考核平台 · 后台"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path("", include("responsibility.urls")),
    path("", include("assessment.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
]
