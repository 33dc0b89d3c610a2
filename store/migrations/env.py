"""Alembic environment: runs migrations on the connection or URL the CLI hands over."""

from alembic import context

from store.db import make_engine
from store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # New migrations name our column types as `store.models.UTCDateTime`, as the old
        # ones do, wherever in the package the type is defined (script.py.mako imports it).
        user_module_prefix="store.models.",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
