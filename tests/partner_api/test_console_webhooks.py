"""Partner console: webhook endpoints are added (the secret shown once), edited, turned off and
on, given a new secret, deleted; their delivery log pages and redelivers. Another partner's
endpoint is a 404."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from standardwebhooks import Webhook

from compliance_hub.activity.kinds import headline
from compliance_hub.activity.models import Activity
from compliance_hub.facilities.models import PartnerStaff
from compliance_hub.webhooks import emit, services
from compliance_hub.webhooks.events import EVENT_TYPES
from compliance_hub.webhooks.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from tests import factories

pytestmark = pytest.mark.django_db

HOOK = "http://127.0.0.1:9/hooks"  # loopback: allowed by the test settings, never called here
LIST = "/partner/webhooks/"


@pytest.fixture
def staff(partner):
    person = factories.person("ops@acme.example")
    PartnerStaff.objects.create(partner=partner, person=person)
    return person


@pytest.fixture
def console(staff):
    client = Client()
    client.force_login(staff)
    return client


def text(response) -> str:
    """The page as a person reads it: tags gone, whitespace folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def page_of(endpoint: WebhookEndpoint) -> str:
    return f"/partner/webhooks/{endpoint.pk}/"


def add(console, partner, **data):
    body = {"url": HOOK, "events": list(EVENT_TYPES), "partner": partner.pk, **data}
    return console.post("/partner/webhooks/new/", body)


def webhook_log(partner) -> list[str]:
    """The partner's log of webhook changes made by people (set-up in tests has no actor)."""
    return [
        headline(a)
        for a in Activity.objects.filter(
            partner=partner, detail__has_key="webhook", actor__isnull=False
        ).order_by("id")
    ]


def deliveries(partner, n: int = 1) -> list[WebhookDelivery]:
    """``n`` events for the partner, each delivered (as waiting deliveries) to its endpoints."""
    emit.emit(partner.pk, [("certificate.voided", {"number": f"C-{i}"}) for i in range(n)])
    return list(WebhookDelivery.objects.order_by("-id"))


def test_the_console_nav_has_webhooks_and_the_empty_list_says_what_they_are_for(console):
    response = console.get(LIST)
    assert response.status_code == 200
    page = text(response)
    assert "No webhook endpoints yet." in page
    assert "hears about new, superseded and void certificates" in page
    assert 'href="/api/guide/"' in response.content.decode()
    assert 'href="/partner/webhooks/" aria-current="page">Webhooks' in response.content.decode()
    for event_type, meaning in EVENT_TYPES.items():
        assert event_type in page and meaning in page


def test_adding_shows_the_secret_once_and_a_reload_makes_nothing_new(console, partner, staff):
    posted = add(console, partner, description="Scheduler")
    endpoint = WebhookEndpoint.objects.get(partner=partner)
    assert posted.status_code == 302 and posted["Location"] == page_of(endpoint) + "#secret"
    shown = console.get(page_of(endpoint))
    assert "no-store" in shown["Cache-Control"]
    secret = shown.context["new_secret"]["secret"]
    assert secret == endpoint.secret and secret.startswith("whsec_")
    html = shown.content.decode()
    assert secret in html and 'data-copy="new-secret"' in html and "partner_api/copy" in html
    assert "standardwebhooks" in html
    # The secret signs what the hub sends, as the Standard Webhooks library checks it.
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(timezone.now().timestamp()))}
    headers["webhook-signature"] = Webhook(secret).sign("msg_1", timezone.now(), "{}")
    assert Webhook(secret).verify(b"{}", headers) == {}

    reloaded = console.get(page_of(endpoint))
    assert reloaded.context["new_secret"] is None
    assert secret not in reloaded.content.decode()
    assert "Your signing secret" not in text(reloaded)
    assert WebhookEndpoint.objects.filter(partner=partner).count() == 1
    listing = text(console.get(LIST))
    assert HOOK in listing and "Scheduler" in listing and "Active" in listing
    assert "Nothing sent yet" in listing and secret not in listing
    assert webhook_log(partner) == ["Added a webhook endpoint"]
    added = Activity.objects.get(partner=partner, detail__webhook="added")
    assert added.actor == staff and added.target == HOOK and added.facility is None
    log = text(console.get("/partner/activity/"))
    assert "Added a webhook endpoint" in log and "ops@acme.example" in log


def test_the_secret_is_shown_only_in_the_session_that_made_it(console, partner):
    add(console, partner)
    endpoint = WebhookEndpoint.objects.get()
    colleague = factories.person("colleague@acme.example")
    PartnerStaff.objects.create(partner=partner, person=colleague)
    other = Client()
    other.force_login(colleague)
    assert other.get(page_of(endpoint)).context["new_secret"] is None
    assert console.get(page_of(endpoint)).context["new_secret"]["secret"] == endpoint.secret


def test_opening_another_endpoints_page_first_does_not_lose_the_secret(console, partner):
    add(console, partner, description="First")
    add(console, partner, url="http://127.0.0.1:10/hooks", description="Second")
    first, second = WebhookEndpoint.objects.order_by("id")
    # The second page is opened first (e.g. the redirect); the first one's secret still waits.
    assert console.get(page_of(second)).context["new_secret"]["secret"] == second.secret
    shown = console.get(page_of(first))
    assert shown.context["new_secret"]["secret"] == first.secret
    assert first.secret in shown.content.decode()
    assert console.get(page_of(first)).context["new_secret"] is None  # once
    assert console.get(page_of(second)).context["new_secret"] is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": ""}, "url", "Enter the address of your receiver."),
        ({"url": "ftp://files.example/in"}, "url", "Use an https:// URL."),
        ({"url": "http://user:pw@127.0.0.1/x"}, "url", "Leave user names and passwords out"),
        ({"events": []}, "events", "Choose at least one event."),
        ({"events": ["certificate.lost"]}, "events", "Choose among the events listed."),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_made(
    console, partner, data, field, message
):
    response = add(console, partner, **data)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    assert message in response.content.decode()
    assert f'aria-describedby="id_{field}_error"' in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    assert webhook_log(partner) == []


def test_a_private_address_is_refused_where_the_setting_says_so(console, partner, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = add(console, partner, url="http://127.0.0.1:9/hooks")
    assert response.status_code == 400
    assert "private, loopback or link-local" in " ".join(response.context["form"].errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_editing_the_address_and_events(console, partner):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    response = console.post(
        page_of(endpoint) + "save/",
        {"url": "http://127.0.0.1:9/v2", "events": ["certificate.voided"], "description": "v2"},
        follow=True,
    )
    assert "Saved" in text(response)
    endpoint.refresh_from_db()
    assert endpoint.url == "http://127.0.0.1:9/v2" and endpoint.event_types == [
        "certificate.voided"
    ]
    assert endpoint.description == "v2"
    assert webhook_log(partner) == ["Changed a webhook endpoint"]
    bad = console.post(page_of(endpoint) + "save/", {"url": "ftp://x", "events": []})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"events"}  # the form's own check comes first
    bad = console.post(page_of(endpoint) + "save/", {"url": "ftp://x", "events": ["x.y"]})
    assert bad.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.url == "http://127.0.0.1:9/v2"


def test_disabling_and_enabling(console, partner):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    (waiting,) = deliveries(partner)
    off = console.post(page_of(endpoint) + "enabled/", {"enabled": "0"}, follow=True)
    page = text(off)
    assert "Disabled: nothing is sent to this endpoint until enabled." in page
    assert "Disabled by you." in page and "since" in page
    assert "Redeliver" not in page and "Enable the endpoint to redeliver" in page
    waiting.refresh_from_db()
    assert waiting.status == WebhookDelivery.Status.FAILED
    assert "Disabled by you." in text(console.get(LIST))
    on = console.post(page_of(endpoint) + "enabled/", {"enabled": "1"}, follow=True)
    assert "Enabled: new events are delivered" in text(on) and "Active" in text(on)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_at is None
    assert webhook_log(partner) == ["Turned a webhook endpoint off", "Turned a webhook endpoint on"]
    assert console.post(page_of(endpoint) + "enabled/", {"enabled": "x"}).status_code == 302


def test_a_failing_endpoint_says_since_when(console, partner):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    endpoint.failing_since = timezone.now() - timedelta(hours=5)
    endpoint.save()
    assert "Failing since" in text(console.get(LIST))


def test_rotating_shows_the_new_secret_once_and_until_when_the_old_one_verifies(console, partner):
    endpoint, old = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    posted = console.post(page_of(endpoint) + "rotate/", {"overlap_hours": "24"})
    assert posted.status_code == 302 and posted["Location"] == page_of(endpoint) + "#secret"
    shown = console.get(page_of(endpoint))
    endpoint.refresh_from_db()
    new = shown.context["new_secret"]["secret"]
    assert new == endpoint.secret != old and endpoint.previous_secret == old
    page = text(shown)
    assert "Your new signing secret" in page
    until = timezone.localtime(endpoint.previous_secret_expires_at).strftime("%b %-d, %Y %H:%M")
    assert f"The previous secret still verifies until {until}" in page
    assert endpoint.previous_secret_expires_at - timezone.now() > timedelta(hours=23)
    reloaded = console.get(page_of(endpoint))
    assert new not in reloaded.content.decode() and reloaded.context["new_secret"] is None
    assert f"still verifies until {until}" in text(reloaded)
    assert webhook_log(partner) == ["Rotated a webhook signing secret"]

    bad = console.post(page_of(endpoint) + "rotate/", {"overlap_hours": "1000"})
    assert bad.status_code == 400
    assert "Choose one of the periods listed." in text(bad)


def test_rotating_without_overlap_retires_the_old_secret_at_once(console, partner):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    console.post(page_of(endpoint) + "rotate/", {"overlap_hours": "0"})
    page = text(console.get(page_of(endpoint)))
    assert "still verifies" not in page and "One secret signs every event." in page
    endpoint.refresh_from_db()
    assert endpoint.secrets_at(timezone.now()) == [endpoint.secret]


def test_deleting_asks_first_then_deletes(console, partner):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    deliveries(partner, 2)
    confirm = console.get(page_of(endpoint) + "delete/")
    assert confirm.status_code == 200
    assert "Delete this webhook endpoint?" in text(confirm) and "2 deliveries" in text(confirm)
    assert WebhookEndpoint.objects.exists()
    deleted = console.post(page_of(endpoint) + "delete/", follow=True)
    assert deleted.redirect_chain == [(LIST, 302)]
    assert f"Deleted the endpoint {HOOK}" in text(deleted)
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    assert webhook_log(partner) == ["Deleted a webhook endpoint"]
    assert console.get(page_of(endpoint)).status_code == 404


def test_the_delivery_log_shows_each_delivery_newest_first(console, partner):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    failed, retrying, delivered, waiting = deliveries(partner, 4)  # newest first
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivered.pk).update(
        status="delivered", attempts=1, last_status_code=200, delivered_at=now
    )
    DeliveryAttempt.objects.create(
        delivery=delivered, status_code=200, succeeded=True, latency_ms=37
    )
    WebhookDelivery.objects.filter(pk=retrying.pk).update(
        attempts=2, last_status_code=500, next_attempt_at=now + timedelta(minutes=4)
    )
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status="failed", attempts=9, last_error="Connection refused"
    )
    response = console.get(page_of(endpoint))
    rows = response.context["rows"]
    assert [r.delivery.pk for r in rows] == sorted((r.delivery.pk for r in rows), reverse=True)
    by_pk = {r.delivery.pk: r for r in rows}
    assert by_pk[delivered.pk].status == "Delivered" and by_pk[delivered.pk].latency_ms == 37
    assert by_pk[retrying.pk].status == "Retrying"
    assert by_pk[failed.pk].status == "Failed"
    assert by_pk[waiting.pk].status == "Pending"
    page = text(response)
    assert "certificate.voided" in page and delivered.event.public_id in page
    assert "37 ms" in page and "Connection refused" in page and "HTTP 500" in page
    assert "9 attempts" in page and "1 attempt " in page and "0 attempts" in page
    assert "1 delivered · 2 waiting · 1 failed" in page
    listing = text(console.get(LIST))
    assert "Failed" in listing and "Connection refused" in listing  # the newest delivery


def test_the_delivery_log_pages(console, partner):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    made = deliveries(partner, 55)
    first = console.get(page_of(endpoint))
    assert len(first.context["rows"]) == 50
    older = first.context["older_url"]
    assert older and first.context["newest_url"] == ""
    second = console.get(older)
    shown = [r.delivery.pk for r in first.context["rows"] + second.context["rows"]]
    assert shown == [d.pk for d in made]  # every one once, newest first
    assert second.context["older_url"] == "" and second.context["newest_url"]
    for bad in ("x", "-1", "0", str(2**64), "١٢"):
        assert console.get(page_of(endpoint), {"before": bad}).status_code == 200


def test_redeliver_makes_the_delivery_due_again(console, partner, staff):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    (delivery,) = deliveries(partner)
    later = timezone.now() + timedelta(hours=3)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="failed", attempts=12, next_attempt_at=later, last_status_code=500
    )
    response = console.post(f"{page_of(endpoint)}deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 302
    assert response["Location"] == page_of(endpoint) + "#deliveries"
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.manual
    assert delivery.next_attempt_at <= timezone.now()
    page = text(console.get(page_of(endpoint)))
    assert f"certificate.voided {delivery.event.public_id} will be sent again" in page
    assert webhook_log(partner) == ["Asked for a webhook to be sent again"]
    redelivered = Activity.objects.get(detail__webhook="redelivered")
    assert redelivered.actor == staff and redelivered.detail["event"] == delivery.event.public_id


def test_redeliver_keeps_the_page_of_the_log(console, partner):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    made = deliveries(partner, 3)
    response = console.post(
        f"{page_of(endpoint)}deliveries/{made[-1].pk}/redeliver/", {"before": made[1].pk}
    )
    assert response["Location"] == f"{page_of(endpoint)}?before={made[1].pk}#deliveries"


def test_redeliver_on_a_disabled_endpoint_says_to_enable_it(console, partner):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    (delivery,) = deliveries(partner)
    services.disable_endpoint(endpoint, "Disabled by you.")
    response = console.post(f"{page_of(endpoint)}deliveries/{delivery.pk}/redeliver/", follow=True)
    assert "Enable the endpoint before redelivering." in text(response)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert webhook_log(partner) == []


def test_another_partners_endpoint_is_a_404_everywhere(console, partner):
    other = factories.partner(name="Other Staffing")
    theirs, secret = services.create_endpoint(
        other, url=HOOK + "/theirs", events=["certificate.voided"]
    )
    (delivery,) = deliveries(other)
    assert "/theirs" not in text(console.get(LIST))
    base = page_of(theirs)
    assert console.get(base).status_code == 404
    assert console.get(base + "delete/").status_code == 404
    for action, data in (
        ("save/", {"url": HOOK, "events": ["certificate.voided"]}),
        ("enabled/", {"enabled": "0"}),
        ("rotate/", {"overlap_hours": "0"}),
        ("delete/", {}),
        (f"deliveries/{delivery.pk}/redeliver/", {}),
    ):
        assert console.post(base + action, data).status_code == 404, action
    theirs.refresh_from_db()
    assert theirs.enabled and theirs.secret == secret and theirs.url.endswith("/theirs")
    # Their delivery through one's own endpoint's address is a 404 too.
    mine, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    assert console.post(f"{page_of(mine)}deliveries/{delivery.pk}/redeliver/").status_code == 404
    # Naming the other partner when adding is refused.
    assert add(console, other).status_code == 400
    assert not WebhookEndpoint.objects.filter(partner=other).exclude(pk=theirs.pk).exists()


def test_the_console_scopes_by_the_webhooks_one_rule(console, partner, monkeypatch):
    """DESIGN §8, one scoping rule: the console finds endpoints and deliveries through
    webhooks.queries (as the API does), never through a partner filter of its own."""
    from compliance_hub.webhooks import queries

    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    (delivery,) = deliveries(partner)
    owners = []
    real = queries._owned_by

    def spy(owner, prefix=""):
        owners.append((list(owner), prefix))
        return real(owner, prefix)

    monkeypatch.setattr(queries, "_owned_by", spy)
    assert console.get(LIST).status_code == 200
    assert console.get(page_of(endpoint)).status_code == 200
    assert (
        console.post(f"{page_of(endpoint)}deliveries/{delivery.pk}/redeliver/").status_code == 302
    )
    assert owners == [
        ([partner.pk], ""),
        ([partner.pk], ""),
        ([partner.pk], ""),
        ([partner.pk], "endpoint__"),
    ]


def test_people_who_are_not_partner_staff_get_404_and_visitors_sign_in(partner, facility):
    endpoint, _ = services.create_endpoint(partner, url=HOOK, events=list(EVENT_TYPES))
    member = Client()
    member.force_login(factories.member(facility, factories.person("pat@example.com"), "primary"))
    assert member.get(LIST).status_code == 404
    assert member.get(page_of(endpoint)).status_code == 404
    assert member.post(page_of(endpoint) + "delete/").status_code == 404
    anonymous = Client().get(page_of(endpoint))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/sign-in/")
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_staff_of_two_partners_choose_which_one_an_endpoint_is_for(console, staff, partner):
    second = factories.partner(name="Second Staffing")
    PartnerStaff.objects.create(partner=second, person=staff)
    page = console.get(LIST).content.decode()
    assert "Staffing partner" in page
    assert add(console, second).status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.partner == second
    assert "Second Staffing" in text(console.get(LIST))
