"""Find the address phones on the venue Wi-Fi can reach this machine at.

Pure core: standard library only.
"""

from __future__ import annotations

import ipaddress
import socket


def lan_address() -> str:
    """Return this machine's LAN IPv4 address, or 127.0.0.1 when it has none.

    Connecting a UDP socket sends no packet: it only asks the kernel which local address
    it would route from, which is the one other devices on the network see.
    """
    for probe in ("10.255.255.255", "192.168.255.255", "172.31.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                address = sock.getsockname()[0]
        except OSError:
            continue
        if not ipaddress.ip_address(address).is_loopback:
            return address
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            address = str(info[4][0])
            if not ipaddress.ip_address(address).is_loopback:
                return address
    except OSError:
        pass
    return "127.0.0.1"


def base_url(host: str, port: int) -> str:
    """Return the http:// base address for a host and port (IPv6 hosts bracketed)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}" if port != 80 else f"http://{host}"
