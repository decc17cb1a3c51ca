"""Command modules, one per area; each exports its click commands in COMMANDS."""

from tracker.commands import mail

ALL = [*mail.COMMANDS]
