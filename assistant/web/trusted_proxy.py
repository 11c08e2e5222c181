"""Sign-in done by a proxy in front (oauth2-proxy and the like): it names the user in a header.

Anyone can send such a header, so it is believed only on a connection that comes from one of the
configured proxy addresses; from any other address the request counts as not signed in at all
(not as the named user, and not as falling back to another sign-in either: a header that claims
a user from the wrong place is an attack, not a mistake).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: str) -> tuple[Network, ...]:
    """``10.0.0.5, 10.1.0.0/16, ::1`` into networks; a plain sentence on a malformed entry."""
    networks = []
    for entry in raw.split(","):
        if not entry.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"ASSISTANT_WEB_TRUSTED_PROXIES has {entry.strip()!r}, which is neither an "
                             f"address nor a CIDR range such as 10.0.0.0/8.") from None
    return tuple(networks)


@dataclass(frozen=True)
class TrustedHeader:
    user_header: str
    groups_header: str
    proxies: tuple[Network, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> TrustedHeader | None:
        web = settings.web
        if not web.trusted_header.strip():
            return None
        proxies = parse_networks(web.trusted_proxies)
        if not proxies:
            raise ValueError("ASSISTANT_WEB_TRUSTED_HEADER needs ASSISTANT_WEB_TRUSTED_PROXIES: the addresses "
                             "of the proxies allowed to name the user.")
        return cls(web.trusted_header.strip().lower(), web.trusted_groups_header.strip().lower(), proxies)

    def from_proxy(self, peer: str | None) -> bool:
        """Whether the connection's own address (not any forwarded one) is a configured proxy."""
        if not peer:
            return False
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.proxies)

    def claims(self, headers: dict[str, str], peer: str | None) -> tuple[str, tuple[str, ...]] | None:
        """The user and groups the proxy names, when the header is there and comes from a proxy."""
        name = headers.get(self.user_header, "").strip()
        if not name or not self.from_proxy(peer):
            return None
        raw_groups = headers.get(self.groups_header, "") if self.groups_header else ""
        return name, tuple(g.strip() for g in raw_groups.split(",") if g.strip())
