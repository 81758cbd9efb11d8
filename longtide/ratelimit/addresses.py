"""The network address a rate limit counts by."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """Return the visitor's network address, as limits count it.

    The connection's address, or behind PROXY_HOPS trusted reverse proxies the address the outermost
    of them saw (X-Forwarded-For counted from the right: entries further left are the visitor's to
    write). IPv6 addresses count by their /64 network, which one household or server holds whole; an
    IPv4 address written as IPv6 (::ffff:192.0.2.1, as a dual-stack bind reports IPv4 visitors)
    counts as the IPv4 address it is.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    hops = int(getattr(settings, "PROXY_HOPS", 0))
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
