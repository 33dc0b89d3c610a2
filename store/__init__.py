"""Persistence: SQLAlchemy models, engine and sessions, Alembic migrations."""


def init_app(app) -> None:
    """Register `outreach db …` on a Flask app."""
    from store.cli import db

    app.cli.add_command(db)
