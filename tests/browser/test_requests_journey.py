"""An agency requests a trainer, end to end in Chromium (issue 16, point 3, "Checked by").

A member of an agency's staff asks for a training on a module (after a past date is refused next
to its field, with nothing typed lost); a coordinator opens the request from the queue and offers
it to the first suggested trainer, the one in the agency's region; the trainer follows the link in
the e-mail, accepts, and the draft turnkey training exists with the requester as host contact; the
requester sees it on their list. Every page is checked with axe-core, and at 390 px wide.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests import factories
from tests.browser.journey import PHONE, fits_the_phone, link_in_email, relative
from tests.trainers.factories import ModuleFactory, certified_trainer
from trainers.models import TrainingRequest, TurnkeyTraining


def test_an_agency_requests_a_trainer_and_a_suggested_trainer_accepts(page, journey, login_as):
    step = journey.step
    module = ModuleFactory(title="Math Strategies")
    capital = factories.AgencyFactory(name="Alder Adult School", region="Capital")
    rae = factories.UserFactory(name="Rae Requester", email="rae@alder.org", agency=capital)
    near, _ = certified_trainer(
        module,
        days_ago=300,
        name="Nina Near",
        email="nina@example.org",
        agency=factories.AgencyFactory(region="Capital"),
    )
    certified_trainer(module, days_ago=320, name="Fay Far", agency=factories.AgencyFactory(region="Bay Area"))
    coordinator = factories.with_totp(factories.coordinator(name="Cora Coordinator"))
    first, second = timezone.localdate() + timedelta(days=20), timezone.localdate() + timedelta(days=27)

    def check(p, name: str) -> None:
        """axe at desktop width, then the same page at 390 px with no sideways scroll."""
        step(p, name)
        p.set_viewport_size(PHONE)
        assert fits_the_phone(p), name
        step(p, f"{name}-phone")
        p.set_viewport_size({"width": 1280, "height": 900})

    # --- 1. Rae asks for a training; a past date is refused next to its field --------------------
    login_as(page, rae)
    page.goto("/trainers/")
    page.get_by_role("link", name="request a training").click()
    page.get_by_label("Module").select_option(label="Math Strategies")
    page.get_by_label("Audience").fill("Evening ESL teachers")
    page.get_by_label("Expected number of participants").fill("16")
    page.get_by_label("Preferred date").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    page.get_by_label("Starts at").fill("16:00")
    page.get_by_label("Ends at").fill("19:00")
    page.get_by_label("Where", exact=True).fill("Alder Adult School, room 12")
    page.get_by_role("button", name="Send the request").click()
    page.locator("#id_date_1_error").get_by_text("Choose today or a later date.").wait_for()
    assert page.get_by_label("Audience").input_value() == "Evening ESL teachers"
    assert page.get_by_label("Where", exact=True).input_value() == "Alder Adult School, room 12"
    check(page, "request-past-date")
    page.get_by_label("Preferred date").fill(first.isoformat())
    page.get_by_label("Another date (for a second session)").fill(second.isoformat())
    page.get_by_role("button", name="Send the request").click()
    page.get_by_text("Thank you: your request is with the coordinators.").wait_for()
    req = TrainingRequest.objects.get()
    assert (req.requester, req.status, req.region) == (rae, TrainingRequest.Status.NEW, "Capital")
    check(page, "request-sent")

    # --- 2. The coordinator offers it to the first suggestion: the trainer in the region ---------
    login_as(page, coordinator)
    page.goto("/trainers/requests/queue/")
    check(page, "queue")
    page.get_by_role("link", name="Math Strategies").click()
    suggestions = page.locator("#suggestions .form-check-label")
    assert suggestions.first.inner_text().startswith("Nina Near")
    assert suggestions.count() == 2
    check(page, "request-suggestions")
    page.get_by_label("A word to the trainer (optional)").fill("Alder is close to you.")
    page.get_by_role("button", name="Offer the request").click()
    page.get_by_text("The request is offered to Nina Near; we e-mailed them.").wait_for()
    check(page, "request-offered")

    # --- 3. Nina follows the e-mail's link and accepts ------------------------------------------
    login_as(page, near)
    page.goto(relative(link_in_email("nina@example.org", "trainers.request_offered", "/trainers/offers/")))
    check(page, "offer")
    page.get_by_role("button", name="Accept the request").click()
    page.get_by_text("the training is saved as a draft in your list").wait_for()
    training = TurnkeyTraining.objects.get()
    assert (training.status, training.trainer, training.host_contact, training.host_agency) == (
        TurnkeyTraining.Status.DRAFT,
        near,
        rae,
        capital,
    )
    assert [timezone.localtime(s.starts_at).date() for s in training.sessions.all()] == [first, second]
    page.get_by_text("Rae Requester").first.wait_for()  # the host contact on the training's page
    check(page, "draft-training")

    # --- 4. Rae sees the answer on her list ------------------------------------------------------
    login_as(page, rae)
    page.goto("/trainers/requests/")
    page.get_by_text("Nina Near will facilitate it").wait_for()
    check(page, "my-requests")

    assert journey.violations == []
    assert page.js_errors == []


def test_an_agency_offers_to_host_a_regional_cop_and_a_coordinator_opens_it(page, journey, login_as):
    step = journey.step
    inland = factories.AgencyFactory(name="Riverside Adult School", region="Inland Empire")
    rae = factories.UserFactory(name="Rae Host", email="rae@riverside.org", agency=inland)
    coordinator = factories.with_totp(factories.coordinator(name="Cora Coordinator"))
    stale = TrainingRequest.objects.create(
        requester=rae,
        agency=inland,
        region="Inland Empire",
        module=ModuleFactory(title="Reading Strategies"),
        dates=[(timezone.localdate() + timedelta(days=30)).isoformat()],
        format="online",
        audience="ABE teachers",
        expected_size=12,
        waiting_since=timezone.now(),
    )

    login_as(page, rae)
    page.set_viewport_size(PHONE)
    page.goto("/trainers/requests/")
    page.get_by_role("link", name="Offer to host a regional CoP").click()
    assert page.get_by_label("Region").input_value() == "Inland Empire"
    page.get_by_role("button", name="Send the offer").click()
    page.locator("#id_offer_error").get_by_text("This field is required.").wait_for()
    assert fits_the_phone(page)
    step(page, "host-form-error")
    page.get_by_label("What your agency can offer").fill("Our library room on Thursday afternoons.")
    page.get_by_role("button", name="Send the offer").click()
    page.get_by_text("Thank you for offering to host a regional CoP.").wait_for()
    assert fits_the_phone(page)
    step(page, "host-sent")
    host = TrainingRequest.objects.get(kind=TrainingRequest.Kind.HOST)

    login_as(page, coordinator)
    page.goto(host.get_absolute_url())
    page.get_by_role("link", name="Accept or decline the offer").click()
    page.get_by_label("Accept the offer").check()
    page.get_by_label("Open the regional CoP now, named").fill("Inland Empire Regional CoP")
    assert fits_the_phone(page)
    step(page, "host-decide")
    page.get_by_role("button", name="Save the decision").click()
    page.get_by_role("link", name="Inland Empire Regional CoP").wait_for()
    assert fits_the_phone(page)
    step(page, "host-accepted")

    # The other request: nobody free, so the coordinator closes it with a word to the agency.
    page.goto(f"/trainers/requests/{stale.pk}/close/")
    page.get_by_role("button", name="Close the request").click()
    page.locator("#id_reason_error").wait_for()
    page.get_by_label("Why close the request?").fill(
        "No trainer is free this term; please ask again in spring."
    )
    assert fits_the_phone(page)
    step(page, "close-form")
    page.get_by_role("button", name="Close the request").click()
    page.get_by_text("The request is closed").wait_for()
    page.goto("/trainers/requests/queue/?status=")
    assert fits_the_phone(page)
    step(page, "queue-all")

    login_as(page, rae)
    page.goto("/dashboard/")
    page.locator("#requests-panel-title").wait_for()
    assert fits_the_phone(page)
    step(page, "requester-dashboard")

    assert journey.violations == []
    assert page.js_errors == []
