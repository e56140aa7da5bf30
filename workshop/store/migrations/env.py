"""Alembic's entry point: runs migrations against the URL the app configured."""

from alembic import context
from sqlalchemy import create_engine

from workshop.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run every pending migration in one connection."""
    url = config.get_main_option("sqlalchemy.url")
    connectable = create_engine(url)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


run_migrations_online()
