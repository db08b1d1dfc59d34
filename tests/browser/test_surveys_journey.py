"""A participant answers an evaluation on a phone; the coordinator reads the results as charts."""

import datetime as dt

from django.utils import timezone

from institutes.models import Institute
from portal.surveys import services
from portal.surveys.defaults import create_defaults
from portal.surveys.models import Instrument, Question, Response
from tests import factories
from tests.browser.journey import PHONE, fits_the_phone
from tests.institutes.factories import InstituteFactory, SessionFactory, coordinator_of
from tests.surveys.factories import answers_for, invited


def test_a_participant_answers_on_a_phone_and_the_coordinator_sees_charts(page, login_as, shot, axe):
    create_defaults(Instrument, Question)
    institute = InstituteFactory(title="Math Strategies ToT", status=Institute.Status.COMPLETED)
    SessionFactory(institute=institute, date=timezone.localdate() - dt.timedelta(days=2))
    for i in range(4):
        earlier, token = invited(
            "institute-end", institute, email=f"earlier{i}@example.org", purpose="institute-end"
        )
        services.answer(token, answers_for(earlier))
    invitation, token = invited("institute-end", institute, email="ana@example.org", purpose="institute-end")

    page.set_viewport_size(PHONE)
    page.goto(f"/surveys/{token}/")
    assert fits_the_phone(page)
    assert axe(page) == []
    comment = invitation.instrument.questions.get(quotable=True)
    page.fill(f"#id_{comment.field_name}", "The number line warm-up, with my Tuesday class.")
    page.click("text=Send my answers")
    assert page.locator(".invalid-feedback").first.is_visible()
    assert page.input_value(f"#id_{comment.field_name}") == "The number line warm-up, with my Tuesday class."
    shot(page, "errors-at-the-fields")
    for question in invitation.instrument.questions.filter(kind="likert"):
        page.check(f"#id_{question.field_name}_4")
    page.check("#id_quote_consent")
    page.click("text=Send my answers")
    page.wait_for_url("**/surveys/thanks/")
    assert Response.objects.count() == 5
    shot(page, "thanks")

    coordinator = factories.with_totp(factories.UserFactory())
    coordinator_of(institute, coordinator)
    login_as(page, coordinator)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/institutes/{institute.slug}/results/")
    page.wait_for_selector("figure[data-chart] canvas")
    assert page.locator("figure[data-chart] canvas").count() >= 4
    assert axe(page) == []
    assert page.js_errors == []
    shot(page, "results")
