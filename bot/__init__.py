"""The conversation: the pure engine, and everything that loads its state, stores what
happened and hands replies to the outbox (conversations, effects, scheduler, worker)."""


def init_app(app) -> None:
    """Register `outreach chat`, `worker`, `broadcast` and `engagers` on a Flask app."""
    from bot.cli import init_app as register

    register(app)
