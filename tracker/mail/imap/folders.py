"""Folders as users type them: `Réception/Promos`, `:all`, any case of INBOX.

Servers name folders in their own hierarchy (`INBOX.Promos` on Courier and
Cyrus, `Promos/Sale` on Dovecot and Gmail) and mark special folders by role
(RFC 6154: \\All for Gmail's "All Mail" in any language, \\Archive, \\Junk).
A name is matched against one LIST answer; plain names need no LIST at all,
so a re-sync still costs one STATUS per folder.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.errors import SyncError
from tracker.mail.imap.client import SPECIAL_USE, Folder

ROLE_PREFIX = ":"


def needs_listing(typed: str) -> bool:
    """True when `typed` is a role (`:all`) or a path the server may spell otherwise."""
    return typed.startswith(ROLE_PREFIX) or "/" in typed


def resolve_folder(typed: str, listed: Sequence[Folder]) -> str:
    """The server's name for `typed`; SyncError for a role no folder has.

    >>> box = [Folder("INBOX", ".", ()), Folder("INBOX.Promos.Sale", ".", ())]
    >>> resolve_folder("INBOX/Promos/Sale", box), resolve_folder("Promos/Sale", box)
    ('INBOX.Promos.Sale', 'INBOX.Promos.Sale')
    >>> resolve_folder(":all", [Folder("[Gmail]/Tous les messages", "/", ("\\\\All",))])
    '[Gmail]/Tous les messages'
    """
    if typed.startswith(ROLE_PREFIX):
        role = typed[1:].lower()
        if role not in SPECIAL_USE:
            raise SyncError(f"unknown folder role {typed}; use one of :{', :'.join(SPECIAL_USE)}")
        for folder in listed:
            if role in folder.roles:
                return folder.name
        raise SyncError(
            f"no folder on the server has the role \\{role.capitalize()}; "
            "see darkpool sync --list-folders"
        )
    wanted = _key(typed.split("/"))
    for folder in listed:
        if folder.name == typed:
            return folder.name
    paths = [(f, _key(f.name.split(f.delimiter) if f.delimiter else [f.name])) for f in listed]
    for folder, parts in paths:
        if parts == wanted:
            return folder.name
    for folder, parts in paths:  # Cyrus and Courier keep every folder under INBOX.
        if parts[:1] == ("INBOX",) and parts[1:] == wanted:
            return folder.name
    return typed  # not listed: STATUS will say so in one line


def _key(parts: Sequence[str]) -> tuple[str, ...]:
    """Path parts, INBOX in any case as INBOX (RFC 3501 5.1)."""
    return tuple("INBOX" if i == 0 and p.upper() == "INBOX" else p for i, p in enumerate(parts))


def describe(folder: Folder) -> str:
    """One line of `darkpool sync --list-folders`: name, roles, what to type."""
    roles = " ".join(f":{r}" for r in folder.roles)
    typed = folder.name.replace(folder.delimiter, "/") if folder.delimiter else folder.name
    return "\t".join(x for x in (folder.name, roles, typed if typed != folder.name else "") if x)
