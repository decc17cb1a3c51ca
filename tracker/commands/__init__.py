"""Command modules, one per area; each exports its click commands in COMMANDS."""

from tracker.commands import crawl, mail, site, stats, sync

ALL = [*mail.COMMANDS, *sync.COMMANDS, *crawl.COMMANDS, *stats.COMMANDS, *site.COMMANDS]
