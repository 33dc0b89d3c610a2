"""The demo data set (`outreach demo seed`): made-up responses, never loaded unless asked."""


def init_app(app) -> None:
    """Register `outreach demo seed` on a Flask app."""
    from demo.cli import demo

    app.cli.add_command(demo)
