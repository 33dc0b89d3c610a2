"""The civic lottery around an assembly: invitations (`invite`), targets from the place's
reference figures (`targets`), a stratified selection by the Sortition Foundation's library
run as a separate program (`selection`), confirmation and replacement, and the staff page of
registrations against targets. Registration itself is a survey the bot runs (bot/registrants.py,
bot/engine/registration.py). See docs/lottery.md.
"""


def init_app(app) -> None:
    """Register `outreach lottery …` (lottery/cli.py) and the staff page of registrations
    against targets on a Flask app."""
    from lottery import cli, views

    cli.init_app(app)
    app.register_blueprint(views.blueprint())
