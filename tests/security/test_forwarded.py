"""A client cannot choose the IP address the hub sees (rate limits, the activity log):
``X-Forwarded-For`` counts only through ``TRUSTED_PROXY_COUNT`` proxies, the nearest of which
must be one of ``FORWARDED_ALLOW_IPS``; whatever arrives, the address is one a database stores."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance_hub.activity.models import Activity
from compliance_hub.activity.services import record
from compliance_hub.core.net import client_ip

ADDRESSES = st.one_of(
    st.ip_addresses().map(str),
    st.sampled_from(
        ["fe80::1%eth0", "fe80::1%25eth0", "::ffff:10.0.0.1", "127.0.0.1", "::1", "10.0.1.77"]
    ),
    st.text(max_size=40),
)
FORWARDED = st.lists(ADDRESSES, max_size=4).map(", ".join) | st.text(max_size=80)


def ip(remote: str, forwarded: str | None = None) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


def _storable(value: str | None) -> bool:
    return value is None or (str(ipaddress.ip_address(value)) == value and "%" not in value)


@settings(max_examples=200)
@given(remote=ADDRESSES, forwarded=FORWARDED)
def test_without_proxies_the_header_is_never_believed(remote, forwarded):
    assert ip(remote, forwarded) == ip(remote)
    assert _storable(ip(remote, forwarded))


@settings(max_examples=200)
@given(remote=ADDRESSES, forwarded=FORWARDED, hops=st.integers(1, 3))
def test_a_client_that_is_not_a_proxy_cannot_choose_its_address(remote, forwarded, hops):
    from django.test import override_settings

    with override_settings(TRUSTED_PROXY_COUNT=hops, FORWARDED_ALLOW_IPS=["10.0.1.0/24"]):
        seen = ip(remote, forwarded)
        assert _storable(seen)
        if not remote.startswith("10.0.1."):
            assert seen == ip(remote)  # the connection's own address


@pytest.mark.parametrize(
    ("allowed", "remote", "forwarded", "expected"),
    [
        (["127.0.0.1", "::1"], "127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (["127.0.0.1", "::1"], "::1", "198.51.100.7", "198.51.100.7"),
        (["127.0.0.1", "::1"], "203.0.113.9", "198.51.100.7", "203.0.113.9"),
        (["10.0.1.0/24"], "10.0.1.77", "198.51.100.7", "198.51.100.7"),
        (["10.0.1.0/24"], "10.0.2.1", "198.51.100.7", "10.0.2.1"),
        (["10.0.1.0/24"], "10.0.1.77", "", "10.0.1.77"),  # nothing forwarded: the proxy itself
        (["10.0.1.0/24"], "10.0.1.77", "not an address", None),
        (["*"], "203.0.113.9", "6.6.6.6", "6.6.6.6"),  # why check --deploy refuses "*"
    ],
)
def test_one_trusted_proxy(settings, allowed, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FORWARDED_ALLOW_IPS = allowed
    assert ip(remote, forwarded) == expected


def test_two_proxies_take_the_address_the_outer_one_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1"]
    # client -> load balancer (adds the client) -> nginx (adds the balancer) -> hub
    assert ip("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2") == "198.51.100.7"
    assert ip("127.0.0.1", "10.0.0.2") == "127.0.0.1"  # too few entries: the peer


@pytest.mark.django_db
def test_an_address_with_a_zone_is_stored_without_it():
    assert ip("fe80::1%eth0") == "fe80::1"
    entry = record(Activity.Verb.SIGNED_IN, actor_label="x", ip=ip("fe80::1%eth0"))
    entry.refresh_from_db()
    assert entry.ip == "fe80::1"
