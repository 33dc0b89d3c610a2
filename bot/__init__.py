"""The conversation: the pure engine, and everything that loads its state, stores what
happened and hands replies to the outbox (conversations, effects, scheduler, worker)."""


def init_app(app) -> None:
    """Register `outreach chat`, `worker`, `broadcast`, `engagers`, `alerts`, `members`,
    `sessions` and `reminders` on a Flask app."""
    from bot import alerts_cli, cli
    from bot.members import cli as members_cli

    cli.init_app(app)
    alerts_cli.init_app(app)
    members_cli.init_app(app)
