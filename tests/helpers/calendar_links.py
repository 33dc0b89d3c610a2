"""A member's calendar link spelled every way that still reaches it, and a GET that sends a
path exactly as written, for the tests that its token never reaches a log."""

from __future__ import annotations

import http.client


def calendar_paths(token: str) -> list[str]:
    """A member's calendar link, spelled every way that still reaches (or nearly reaches)
    the calendar: plain, with a query, a trailing slash, percent-encoded in several places."""
    encoded = "".join(f"%{ord(c):02X}" for c in token)
    return [f"/m/{token}.ics", f"/m/{token}.ics?refresh=1", f"/m/{token}.ics/",
            f"/m/{encoded}.ics", f"/m/{token}%2Eics", f"/%6D/{token}.ics",
            f"/m%2F{token}.ics", f"//m/{token}.ics", f"/M/{token}.ics",
            f"/m;x=1/{token}.ics", f"/m\\{token}.ics", f"/%4D/{token}.ics",
            f"/%256D/{token}.ics"]


def fetch_raw(port: int, path: str) -> int:
    """GET `path` exactly as written (no client-side normalising); the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
