from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .roles import works_in_admin


@login_not_required
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the portal's own sign-in page (one page, one throttle)."""
    after = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(after, allowed_hosts={request.get_host()}):
        after = "/admin/"
    if works_in_admin(request.user):
        return redirect(after)  # signed in already, with a role that uses the admin
    if request.user.is_authenticated:
        # Signed in, but not staff: say so rather than bounce between sign-in pages.
        raise PermissionDenied("Your role does not include data entry.")
    return redirect(f"/accounts/login/?{urlencode({'next': after})}")


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("images/favicon.svg"), permanent=True)


handler500 = "sct_portal.busy.server_error"

urlpatterns = [
    path("favicon.ico", favicon),
    path("", include("kpis.urls")),
    path("finance/", include("finance.urls")),
    path("contracts/", include("contracts.urls")),
    path("reports/", include("reports.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
]
