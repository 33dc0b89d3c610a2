"""The staff area: sign-in, roles, the dashboard, the alerts queue, the evidence pack
(staff/evidence) and the demo data set (staff/demo); the API and exports arrive with them.
Server-rendered pages, no JavaScript."""


def init_app(app) -> None:
    """Register the staff pages and `outreach staff …` on a Flask app (its settings are the
    Runtime's, `bot.config.Settings.staff_*`)."""
    from staff import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.staff_group)
