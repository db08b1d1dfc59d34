"""Which e-mails a person may turn off, their choices, and the signed one-click unsubscribe link.

Every kind of e-mail belongs to a category. Transactional categories (decisions about one's own
application, report or payment; requests that need the recipient's action) always go out;
the others (reminders, summaries, digests, replies) can be turned off on the profile page or
with the link at the foot of each message. The registry lists kinds by name only: portal
imports no app, and an app that invents a new kind may call ``register_kind`` from its
AppConfig.ready(). A kind nobody registered counts as transactional, so that a forgotten
registration never silences a decision someone is waiting for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import transaction

from portal.models import NotificationPreference, User

Category = NotificationPreference.Category

# The one-click link of a transactional e-mail turns off every optional category at once.
ALL_OPTIONAL = "all"

OPTIONAL_CATEGORIES: tuple[str, ...] = (
    Category.ASSIGNMENT_REMINDERS,
    Category.INSTITUTE_REMINDERS,
    Category.COMMITMENT_REMINDERS,
    Category.COORDINATOR_SUMMARIES,
    Category.COMMUNITY_DIGEST,
    Category.COMMUNITY_REPLIES,
)

CATEGORY_HELP = {
    Category.ASSIGNMENT_REMINDERS: "A week and a day before a pre-institute assignment is due, and when it is overdue.",
    Category.INSTITUTE_REMINDERS: "A week before an institute you were accepted to begins.",
    Category.COMMITMENT_REMINDERS: (
        "90, 30 and 7 days before your facilitation commitment ends, and if it lapses;"
        " 7 days and 1 day before a training you lead."
    ),
    Category.COORDINATOR_SUMMARIES: "For coordinators: weekly summaries of commitments and honoraria waiting for approval.",
    Category.COMMUNITY_DIGEST: "A daily digest of new posts in the communities you belong to.",
    Category.COMMUNITY_REPLIES: "An e-mail when someone replies in a thread you follow.",
}


@dataclass(frozen=True)
class EmailKind:
    name: str
    category: str

    @property
    def transactional(self) -> bool:
        return self.category == Category.TRANSACTIONAL


TRANSACTIONAL_KINDS = (
    # institutes: decisions about one's own application, endorsement requests, teams
    "application.status",
    "application.endorsement",
    "application.endorsement_request",
    "application.endorsement_reminder",
    "assignment.reviewed",
    "institute.seat_free",
    "team.invitation",
    # trainers: certifications, reports, honoraria
    "trainers.certified",
    "trainers.certification_revoked",
    "trainers.certification_renewed",
    "trainers.report_verified",
    "trainers.report_returned",
    "trainers.honorarium_approved",
    "trainers.honorarium_rejected",
    "trainers.honorarium_paid",
    # communities: invitations, join requests and reports that need an answer
    "community.invitation",
    "community.join_request",
    "community.join_decision",
    "community.report",
    # surveys: a request for the recipient's answers (portal.surveys)
    "survey.invitation",
)

OPTIONAL_KINDS = {
    "assignment.due_reminder": Category.ASSIGNMENT_REMINDERS,
    "assignment.overdue_reminder": Category.ASSIGNMENT_REMINDERS,
    "institute.starting_reminder": Category.INSTITUTE_REMINDERS,
    "trainers.commitment_reminder": Category.COMMITMENT_REMINDERS,
    "trainers.commitment_lapsed": Category.COMMITMENT_REMINDERS,
    "trainers.commitment_summary": Category.COORDINATOR_SUMMARIES,
    "trainers.honoraria_waiting": Category.COORDINATOR_SUMMARIES,
    "community.digest": Category.COMMUNITY_DIGEST,
    "community.reply": Category.COMMUNITY_REPLIES,
    "community.plan_comment": Category.COMMUNITY_REPLIES,
}

_REGISTRY: dict[str, EmailKind] = {
    name: EmailKind(name, Category.TRANSACTIONAL) for name in TRANSACTIONAL_KINDS
}
_REGISTRY.update({name: EmailKind(name, category) for name, category in OPTIONAL_KINDS.items()})


def register_kind(name: str, category: str) -> EmailKind:
    """Add or reclassify a kind (an app's AppConfig.ready() may call this)."""
    if category not in Category.values:
        raise ValueError(f"Unknown e-mail category {category!r}")
    _REGISTRY[name] = EmailKind(name, category)
    return _REGISTRY[name]


def kind_info(name: str) -> EmailKind:
    """The registered kind, or a transactional one for a name nobody registered."""
    return _REGISTRY.get(name) or EmailKind(name, Category.TRANSACTIONAL)


def registered_kinds() -> dict[str, EmailKind]:
    return dict(_REGISTRY)


# --- Preferences ---------------------------------------------------------------------------


def disabled_categories(user_ids) -> dict[int, set[str]]:
    """For many people at once (one query): {user_id: categories they turned off}."""
    off: dict[int, set[str]] = {}
    rows = NotificationPreference.objects.filter(user_id__in=list(user_ids), enabled=False).values_list(
        "user_id", "category"
    )
    for user_id, category in rows:
        off.setdefault(user_id, set()).add(category)
    return off


def is_enabled(user: User | None, kind: str) -> bool:
    info = kind_info(kind)
    if info.transactional or user is None or user.pk is None:
        return True
    return not NotificationPreference.objects.filter(
        user=user, category=info.category, enabled=False
    ).exists()


def preferences_for(user: User) -> dict[str, bool]:
    """Every optional category with the person's choice (on unless they turned it off)."""
    off = disabled_categories([user.pk]).get(user.pk, set())
    return {category: category not in off for category in OPTIONAL_CATEGORIES}


def set_preferences(user: User, choices: dict[str, bool]) -> None:
    """Save the person's choices; categories not named keep their setting."""
    with transaction.atomic():
        for category, enabled in choices.items():
            if category not in OPTIONAL_CATEGORIES:
                raise ValueError(f"{category!r} cannot be turned off")
            NotificationPreference.objects.update_or_create(
                user=user, category=category, defaults={"enabled": bool(enabled)}
            )


def unsubscribe(user: User, category: str) -> list[str]:
    """Turn one optional category (or all of them) off; returns the categories turned off."""
    categories = list(OPTIONAL_CATEGORIES) if category == ALL_OPTIONAL else [category]
    set_preferences(user, dict.fromkeys(categories, False))
    return categories


def category_label(category: str) -> str:
    if category == ALL_OPTIONAL:
        return "all optional e-mails (reminders, summaries, digests and replies)"
    return str(Category(category).label).lower()


# --- Signed links --------------------------------------------------------------------------

_SALT = "portal.unsubscribe"


def unsubscribe_token(user: User, category: str) -> str:
    # The signature covers the person and the category, so a token cannot be edited to reach
    # someone else; it does not expire, because RFC 8058 links must keep working.
    return signing.dumps([user.pk, category], salt=_SALT, compress=False)


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """The person and category a token names, or None for a forged, edited or stale token."""
    try:
        user_id, category = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if category != ALL_OPTIONAL and category not in OPTIONAL_CATEGORIES:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    return (user, category) if user else None


def link_category(kind: str) -> str:
    """The category a message's unsubscribe link turns off (portal.emails builds the link)."""
    info = kind_info(kind)
    return ALL_OPTIONAL if info.transactional else info.category


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 one-click unsubscribe headers."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# Categories only some people receive; the profile offers them to those people alone.
CATEGORY_FOR = {
    Category.COORDINATOR_SUMMARIES: lambda user: user.is_coordinator,
}


def optional_category_choices(user: User | None = None) -> list[tuple[str, str]]:
    """The categories ``user`` can turn on or off (all of them when no one is named)."""
    return [
        (c, Category(c).label)
        for c in OPTIONAL_CATEGORIES
        if user is None or c not in CATEGORY_FOR or CATEGORY_FOR[c](user)
    ]
