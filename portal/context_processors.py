from functools import lru_cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from portal.access import has_person_flag

# The links of the layout (base.html and portal/_nav_links.html). They are the same on every
# page, so they are reversed once per process instead of some fifteen times per request; a name
# an app does not provide (yet) gives "" and the layout leaves its link out.
NAV_URL_NAMES = {
    "home": "home",
    "dashboard": "dashboard",
    "profile": "profile",
    "password": "account_change_password",
    "mfa": "mfa_index",
    "admin": "admin:index",
    "login": "account_login",
    "signup": "account_signup",
    "logout": "account_logout",
    "my_reports": "trainers:my-reports",
    "my_honoraria": "trainers:my-honoraria",
    "catalog": "institutes:catalog",
    "communities": "communities:directory",
    "trainers": "trainers:directory",
    "find_trainings": "trainers:find-trainings",
    "verify": "trainers:verify",
    "coordinate": "institutes:coordinate",
    "commitments": "trainers:commitments",
    "reports": "trainers:report-queue",
    "honoraria": "trainers:honoraria",
    "overview": "trainers:overview",
    "quotes": "surveys:quote-queue",
    "trainings_all": "trainers:trainings-all",
    "requests": "trainers:request-queue",
    "impact": "trainers:impact",
    "impact_public": "trainers:impact-public",
    "learning": "learning:transcript",
    "learning_export": "learning:export",
}


@lru_cache(maxsize=16)
def _nav_urls(urlconf, script_prefix) -> dict:
    urls = {}
    for key, name in NAV_URL_NAMES.items():
        try:
            urls[key] = reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            urls[key] = ""
    return urls


# The layout's stylesheets, scripts and icon (base.html). Their URLs depend on the static files
# storage alone (with a manifest, on each file's hashed name), so they too are resolved once per
# process rather than by six {% static %} tags on every page (some 550 function calls a page).
LAYOUT_ASSETS = {
    "bootstrap_css": "vendor/bootstrap/bootstrap.min.css",
    "portal_css": "css/portal.css",
    "favicon": "img/favicon.svg",
    "bootstrap_js": "vendor/bootstrap/bootstrap.bundle.min.js",
    "htmx_js": "vendor/htmx/htmx.min.js",
    "portal_js": "js/portal.js",
}


@lru_cache(maxsize=4)
def _asset_urls(static_url: str) -> dict:
    return {key: static(path) for key, path in LAYOUT_ASSETS.items()}


class _Flag:
    """A person flag the template reads only if it renders the link that depends on it."""

    def __init__(self, user, name: str):
        self.user, self.name = user, name

    def __bool__(self) -> bool:
        return has_person_flag(self.user, self.name)


def navigation(request) -> dict:
    """Role flags and the layout's links for the navigation (each role sees what it can do), and
    the layout's assets."""
    user = request.user
    urls = _nav_urls(get_urlconf(), get_script_prefix())
    assets = _asset_urls(settings.STATIC_URL)
    if not user.is_authenticated:
        return {"nav": {"signed_in": False, "urls": urls}, "assets": assets}
    return {
        "assets": assets,
        "nav": {
            "signed_in": True,
            "coordinator": user.is_coordinator,
            "finance": user.is_finance,
            "state_office": user.is_state_office,
            "admin": user.is_superuser,
            # Holds a certification: their reports and honoraria are in the person's menu.
            "trainer": _Flag(user, "trainer"),
            "urls": urls,
        },
    }
