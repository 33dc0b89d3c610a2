"""The staff area: sign-in (signin.py), roles (guard.py), the dashboard, the alerts queue
(pages: views.py), users and the audit log (administration.py), downloads (downloads.py), the
API (api.py), exports of responses (exports.py), purging old data (purge.py) and the
evidence pack (staff/evidence). Server-rendered, no JavaScript. (The demo data set
is the top-level `demo/` package.)"""


def init_app(app) -> None:
    """Register the staff pages, the API and `outreach staff …` on a Flask app (its settings
    are the Runtime's, `bot.config.Settings.staff_*`). The pages' blueprint is made here,
    and each page module adds its routes to it: nothing is registered by an import."""
    from staff import administration, api, cli, downloads, signin, views

    pages = views.blueprint()
    for module in (signin, views, administration, downloads):
        module.add_routes(pages)
    app.register_blueprint(pages)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.staff_group)
