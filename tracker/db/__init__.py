"""The private store: SQLAlchemy models, engine and migrations."""
