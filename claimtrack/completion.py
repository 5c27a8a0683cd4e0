"""What the shell completes from the database: party names and aliases, claim slugs and
topics beginning with what the user has typed.

Each is a prefix look-up on an index (``party_name.key``, ``claim.slug``, and the
``topic`` column leading ``ix_claim_topic_text_key``) with a LIMIT, so a keystroke costs
the same on a million claims as on ten. The queries only read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select, true

from claimtrack.lookup import as_id
from claimtrack.names import normalise
from claimtrack.schema import claim, party, party_alias, party_name

LIMIT = 50  # what a shell can usefully list under a prompt


@dataclass(frozen=True)
class Candidate:
    """A word the shell may insert, and what it is (shown by zsh and fish)."""

    value: str
    help: str | None = None


def _prefix_range(column, prefix: str):
    """``column`` starts with ``prefix``, as a range an index answers (a LIKE would need
    an operator class on PostgreSQL). The bound is the prefix with its last character
    incremented: exact in code-point order (SQLite, PostgreSQL's C collation); callers
    keep only what really starts with the prefix, for other collations."""
    if not prefix:
        return column.is_not(None)
    upper = prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))
    return and_(column >= prefix, column < upper)


def parties(
    connection: Connection, typed: str, *, limit: int = LIMIT, aliases: bool = True
) -> list[Candidate]:
    """Names and aliases (without ``aliases``, names only) whose matching key begins as
    ``typed`` does (any case, any script: ``va`` finds "Vance", ``万`` finds 万斯), as they
    were written."""
    key = normalise(typed) if typed.strip() else ""
    if typed.strip() and not key:
        return []
    n, p, a = party_name.c, party.c, party_alias.c
    query = (
        select(n.key, p.name, p.name_norm, a.alias)
        .join(party, p.id == n.party_id)
        .outerjoin(party_alias, and_(a.party_id == n.party_id, a.alias_norm == n.key))
        .where(_prefix_range(n.key, key), true() if aliases else n.key == p.name_norm)
        .order_by(n.key)
        .limit(limit)
    )
    found = []
    for name_key, name, name_norm, alias in connection.execute(query):
        if not name_key.startswith(key):
            continue
        if name_key == name_norm or alias is None:
            found.append(Candidate(name))
        else:
            found.append(Candidate(alias, f"alias of {name}"))
    return found


def claims(connection: Connection, typed: str, *, limit: int = LIMIT) -> list[Candidate]:
    """Claim slugs beginning with ``typed`` (slugs are lower case), or the claim whose id
    ``typed`` is; each with the start of its text."""
    c = claim.c
    typed = typed.strip()
    columns = select(c.id, c.slug, c.text).where(c.merged_into_id.is_(None))
    if typed.isdigit():
        claim_id = as_id(typed)
        rows = connection.execute(columns.where(c.id == claim_id)) if claim_id else []
        return [Candidate(str(row.id), _short(row.text)) for row in rows]
    prefix = typed.lower()
    query = columns.where(_prefix_range(c.slug, prefix)).order_by(c.slug).limit(limit)
    return [Candidate(row.slug, _short(row.text)) for row in connection.execute(query)
            if row.slug.startswith(prefix)]  # fmt: skip


def topics(connection: Connection, typed: str, *, limit: int = LIMIT) -> list[str]:
    """Topics beginning with ``typed``: one index probe per topic (a loose index scan),
    never a pass over the claims of a topic."""
    c = claim.c
    found: list[str] = []
    after = None
    within = _prefix_range(c.topic, typed)
    while len(found) < limit:
        query = select(func.min(c.topic)).where(within)
        if after is not None:
            query = query.where(c.topic > after)
        after = connection.scalar(query)
        if after is None:
            break
        if after.startswith(typed):
            found.append(after)
    return found


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
