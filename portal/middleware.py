from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from portal.access import holds_staff_role

ALLOWED_PREFIXES = ("/accounts/", "/static/", "/verify/", "/unsubscribe/")


class RequireStaffTwoFactorMiddleware:
    """Coordinators, finance staff and admins must set up TOTP before they use the portal."""

    session_key = "_tot_mfa_checked"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and getattr(settings, "MFA_REQUIRED", True)
            and request.session.get(self.session_key) != user.pk
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            if self.needs_setup(user):
                return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
            request.session[self.session_key] = user.pk
        return self.get_response(request)

    @staticmethod
    def needs_setup(user) -> bool:
        return holds_staff_role(user) and not user.authenticator_set.filter(type="totp").exists()


class PrivatePagesNotCachedMiddleware:
    """Pages shown to a signed-in person stay out of shared and browser caches (ASVS 8.2.1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
