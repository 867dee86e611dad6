"""When the database cannot be reached (restarting, failing over, out of connections): a
"the portal is busy, try again" page with HTTP 503 and Retry-After, never a server error.

The page is drawn in the portal's layout from the settings alone: no session, user or
organisation is read, since the database they live in is the one that is away."""

import sys
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views import defaults

from .models import from_environment

# Seconds a browser or client is asked to wait: a PostgreSQL restart takes one or two.
RETRY_AFTER_SECONDS = 5
UNREACHABLE = (OperationalError, InterfaceError)


def busy_response() -> HttpResponse:
    organisation = from_environment()
    page = loader.render_to_string(
        "503.html",
        {
            "organisation": organisation,
            "portal_name": organisation.portal_name,
            "portal_organisation": organisation.name,
            "retry_after": RETRY_AFTER_SECONDS,
        },
    )
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    """A view (or its template) that cannot reach the database answers 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response() if isinstance(exception, UNREACHABLE) else None


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """handler500: the same 503 when the database failed outside a view (the session read
    by the sign-in check, a middleware), else the portal's own 500 page."""
    if isinstance(sys.exc_info()[1], UNREACHABLE):
        return busy_response()
    response: HttpResponse = defaults.server_error(request)
    return response if response else HttpResponseServerError()
