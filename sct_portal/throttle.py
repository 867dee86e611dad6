"""Failed sign-ins, counted as django-axes records them, each kind against its own limit:
a user name (from any address) at AXES_FAILURE_LIMIT, and one address across every user
name at the higher PORTAL_ADDRESS_FAILURE_LIMIT. One password sprayed across many names is
throttled by its address; colleagues behind one office address are not locked out by one
person's mistakes, who locks only their own user name."""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class SignInThrottle(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no types
    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """The failures as axes compares them with AXES_FAILURE_LIMIT: each kind's count
        scaled to that limit, the highest of them (so a kind at its own limit locks)."""
        limit = get_failure_limit(request, credentials)
        limits = settings.PORTAL_LOCKOUT_LIMITS  # one per AXES_LOCKOUT_PARAMETERS entry
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        return max(
            (count * limit // own for count, own in zip(counts, limits, strict=True)), default=0
        )

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """A sign-in that works clears that user name's failures, not the address's: one
        account that signs in must not wipe a spray from its address."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return int(count)
