"""One way of writing: a time of day as en-us writes it ("1:20 p.m."), and the sign-in pages
(django-allauth's) in sentence case like every other page (locale/en)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from portal.reminders import clock

ROOT = Path(settings.BASE_DIR)


def test_a_time_of_day_reads_the_same_in_python_and_in_templates():
    afternoon, morning = dt.time(13, 20), dt.time(9, 0)
    assert (clock(afternoon), clock(morning)) == ("1:20 p.m.", "9 a.m.")
    moment = dt.datetime(2026, 11, 30, 13, 20, tzinfo=timezone.get_current_timezone())
    assert clock(moment) == "1:20 p.m."
    assert Template("{{ t|time }} · {{ t|date:'M j, Y, P' }}").render(Context({"t": moment})) == (
        "1:20 p.m. · Nov 30, 2026, 1:20 p.m."
    )


def test_no_page_e_mail_or_calendar_file_writes_am_or_pm_its_own_way():
    """Templates write times with |time or the "P" format; Python with portal.reminders.clock."""
    own_ways = re.compile(r"g:i ?[aA]\b|%-?I:%M ?%p|%p\b")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("templates", "portal", "institutes", "communities", "trainers")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".txt", ".py", ".ics"}
        and own_ways.search(path.read_text(errors="ignore"))
    ]
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "heading", "absent"),
    [
        ("account_login", "Sign in", "Sign In"),
        ("account_signup", "Sign up", "Sign Up"),
        ("account_reset_password", "Password reset", "Password Reset"),
    ],
)
def test_sign_in_pages_are_in_sentence_case(client, name, heading, absent):
    html = client.get(reverse(name), secure=True).content.decode()
    assert re.search(rf"<h1[^>]*>\s*{heading}\s*</h1>", html), html[:3000]
    assert absent not in html
