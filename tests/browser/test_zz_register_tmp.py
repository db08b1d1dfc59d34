import pytest
from django.urls import reverse

from tests import factories
from tests.trainers.training_factories import RegistrationFactory, TrainingFactory


def test_register_pages_at_phone_width(page, shot, axe, login_as):
    training = TrainingFactory(sessions=3, capacity=5, title="Number sense for adult learners with a rather long title")
    RegistrationFactory.create_batch(3, training=training)
    factories.AgencyFactory.create_batch(5)
    page.set_viewport_size({"width": 390, "height": 844})
    urls = {
        "public": reverse("trainers:training-public", args=[training.short_code]),
        "flyer": reverse("trainers:training-flyer", args=[training.short_code]),
        "find": reverse("trainers:find-trainings"),
        "cancel": reverse("trainers:registration-cancel", args=[training.registrations.first().cancel_token]),
    }
    problems = {}
    for name, url in urls.items():
        page.goto(url)
        shot(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        problems[name] = (width, axe(page))
    # bad input
    page.goto(urls["public"])
    page.fill("#id_name", "Ana")
    page.fill("#id_email", "bad")
    page.click("button:has-text('Register')")
    shot(page, "public-errors")
    problems["errors"] = (page.evaluate("document.documentElement.scrollWidth"), axe(page))
    login_as(page, training.trainer)
    page.goto(reverse("trainers:training-registrants", args=[training.pk]))
    shot(page, "registrants")
    problems["registrants"] = (page.evaluate("document.documentElement.scrollWidth"), axe(page))
    print(problems)
    assert all(w <= 390 and not v for w, v in problems.values()), problems
    assert page.js_errors == []
