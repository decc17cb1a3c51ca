"""Real refusals from a real store: a trigger stands for any row a backend rejects.

`fit_row` bounds every value darkpool knows of, so the fallback for a row
the store still refuses can only be shown with a refusal darkpool cannot
foresee; a BEFORE INSERT trigger raises a genuine database error on SQLite
and on PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import text

POISON = "poison"  # a message with this subject is refused
STUBBORN = "test:stubborn"  # a message from this source is refused, error row too


def refuse_poison(session) -> None:
    """Install the trigger in the store `session` writes to (commit it before use)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text(
                f"CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.subject = '{POISON}'"
                f" OR NEW.source = '{STUBBORN}' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
            )
        )
        return
    session.execute(
        text(
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN"
            f" IF NEW.subject = '{POISON}' OR NEW.source = '{STUBBORN}'"
            " THEN RAISE EXCEPTION 'poisoned row' USING DETAIL = 'subject ' || NEW.subject;"
            " END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
    )
    session.execute(
        text(
            "CREATE TRIGGER poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION poison()"
        )
    )
