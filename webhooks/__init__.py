"""Channels: one small module per provider, turning requests into Inbounds and replies into
what that provider shows (TwiML, Telegram keyboards, web forms)."""


def init_app(app) -> None:
    """Register each channel's routes on a Flask app."""
    from webhooks import calendar, telegram, twilio, web

    for module in (twilio, telegram, web, calendar):
        app.register_blueprint(module.bp)
