"""Surveys: the definitions (`*.yaml` in this folder), their model, loading and validation
with FILE:LINE problems, `when` conditions, and versions in the database."""

from pathlib import Path

BUNDLED = Path(__file__).resolve().parent  # the shipped surveys; SURVEYS_DIR overrides


def init_app(app) -> None:
    """Register `outreach surveys …` on a Flask app."""
    from surveys.cli import surveys

    app.cli.add_command(surveys)
