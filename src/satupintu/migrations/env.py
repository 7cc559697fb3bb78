from alembic import context
from sqlalchemy import pool

from satupintu.db import PoolOptions, make_engine
from satupintu.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:  # satupintu.migrate.alembic_config always sets it
        raise RuntimeError("No database URL: migrate through `satupintu migrate`, which sets sqlalchemy.url.")
    # One migration run prepares nothing worth keeping, and so it runs through PgBouncer in
    # transaction mode as well as straight to PostgreSQL.
    engine = make_engine(url, options=PoolOptions(prepare_threshold=None), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
