"""The address a rate limit counts by: an IPv4 visitor seen through a dual-stack bind
(::ffff:a.b.c.d) counts as their own IPv4 address, not as the /64 every IPv4 visitor shares."""

from __future__ import annotations

from django.test import RequestFactory

from longtide.ratelimit.addresses import client_address


def _address(remote: str) -> str:
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote))


def test_an_ipv4_mapped_address_counts_as_its_ipv4_address() -> None:
    assert _address("::ffff:192.0.2.1") == "192.0.2.1"


def test_two_ipv4_visitors_on_a_dual_stack_bind_count_apart() -> None:
    assert _address("::ffff:192.0.2.1") != _address("::ffff:198.51.100.7")


def test_plain_addresses_count_as_before() -> None:
    assert _address("192.0.2.1") == "192.0.2.1"
    assert _address("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
