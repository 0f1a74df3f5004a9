"""API keys: stored hashed with a visible prefix, revocable, last use recorded cheaply."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from compliance_hub.activity.models import Activity
from compliance_hub.partner_api import keys
from compliance_hub.partner_api.models import ApiKey
from tests import factories

pytestmark = pytest.mark.django_db


def test_key_has_visible_prefix_and_only_its_hash_is_stored(partner):
    key, raw = keys.create_key(partner, name="Scheduler")
    assert raw.startswith(key.prefix + "_")
    assert key.prefix.startswith("chk_live_") and len(key.prefix) == len("chk_live_") + 8
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {str(v) for v in ApiKey.objects.filter(pk=key.pk).values().first().values()}


def test_each_key_is_different(partner):
    raws = {keys.create_key(partner)[1] for _ in range(5)}
    assert len(raws) == 5


def test_check_key_finds_the_active_key_and_nothing_else(partner):
    key, raw = keys.create_key(partner)
    assert keys.check_key(raw) == key
    assert keys.check_key(raw + "x") is None
    assert keys.check_key("chk_live_nope") is None
    assert keys.check_key("") is None


def test_revoked_key_no_longer_works_and_revoking_twice_is_harmless(partner):
    staff = factories.person()
    key, raw = keys.create_key(partner)
    assert keys.revoke_key(key, by=staff) is True
    assert keys.check_key(raw) is None
    assert keys.revoke_key(key, by=staff) is False
    key.refresh_from_db()
    assert key.revoked_by == staff and key.revoked_at is not None


def test_last_use_is_written_at_most_once_a_minute(partner):
    key, raw = keys.create_key(partner)
    assert key.last_used_at is None
    keys.check_key(raw)
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    keys.check_key(raw)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    keys.check_key(raw)
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first


def test_creating_and_revoking_are_recorded(partner):
    staff = factories.person()
    key, _ = keys.create_key(partner, created_by=staff)
    keys.revoke_key(key, by=staff)
    verbs = list(
        Activity.objects.filter(partner=partner, target=key.prefix).values_list("verb", "actor")
    )
    assert (Activity.Verb.API_KEY_CREATED, staff.pk) in verbs
    assert (Activity.Verb.API_KEY_REVOKED, staff.pk) in verbs
