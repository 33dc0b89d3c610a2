"""`outreach serve`: the app under gunicorn, the production WSGI server."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from outreach.app import create_app


class _Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app()


def run(host: str, port: int, workers: int) -> None:
    """Serve until stopped. Behind a proxy, set PUBLIC_BASE_URL to the public address."""
    _Server({
        "bind": f"{host}:{port}",
        "workers": workers,
        "timeout": 30,
        "accesslog": "-",
        "forwarded_allow_ips": "127.0.0.1",
    }).run()
