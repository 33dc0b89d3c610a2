"""The staff area: sign-in, roles, the dashboard, the alerts queue (pages: views.py), the
API (api.py), exports of responses (exports.py), purging old data (purge.py) and the
evidence pack (staff/evidence). Server-rendered, no JavaScript. (The demo data set
is the top-level `demo/` package.)"""


def init_app(app) -> None:
    """Register the staff pages and `outreach staff …` on a Flask app (its settings are the
    Runtime's, `bot.config.Settings.staff_*`)."""
    from staff import api, cli, downloads, views  # noqa: F401 (downloads adds its pages to bp)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.staff_group)
