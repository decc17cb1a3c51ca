"""Alembic environment: the engine comes from the caller (tracker.db.engine)."""

from alembic import context
from sqlalchemy import create_engine

from tracker.db.models import Base
from tracker.errors import StoreError

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise StoreError("no engine given and no sqlalchemy.url in the Alembic config")
        engine = create_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # pysqlite runs DDL outside any transaction: a process killed during the
            # first migration left half a schema that no later run could migrate.
            # An explicit BEGIN makes the whole upgrade one transaction.
            connection.exec_driver_sql("BEGIN")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
