"""Each party's side: the party at the top of its affiliation chain (Vance -> the US
government), in SQL. Apart from ``claimtrack.selection``, whose dataclass costs a write
command (``tally``, on every write) more to import than this does to run."""

from __future__ import annotations

from sqlalchemy import literal, select

from claimtrack.schema import party

MAX_CHAIN = 32  # affiliation steps followed to find a party's side


def top_sides(parties=None):
    """party id -> the party at the top of its affiliation chain (the side it acts for),
    for the parties of ``parties`` (a SELECT of ids; None: every party)."""
    Party = party.c
    chain = select(Party.id.label("party_id"), Party.id.label("top_id"),
                   Party.acts_for_id.label("next_id"), literal(0).label("depth"))  # fmt: skip
    if parties is not None:
        chain = chain.where(Party.id.in_(parties))
    chain = chain.cte("side_chain", recursive=True)
    parent = select(party).subquery("parent")
    chain = chain.union_all(
        select(chain.c.party_id, parent.c.id, parent.c.acts_for_id, chain.c.depth + 1)
        .join(parent, parent.c.id == chain.c.next_id)
        .where(chain.c.depth < MAX_CHAIN)  # a chain that loops stops here
    )  # fmt: skip
    return select(chain.c.party_id, chain.c.top_id).where(chain.c.next_id.is_(None)).subquery()
