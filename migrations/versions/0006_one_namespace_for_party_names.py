"""One namespace for party names and aliases; matching keys from Unicode; source title keys.

- ``party_name`` holds every party's name and aliases (anonymous sources' descriptors
  too) by matching key, unique, so no name or alias can ever find two parties.
  The unique key on ``party.name_norm`` gives way to it.
- Matching keys are recomputed with the new ``claimtrack.names.normalise`` (every
  Default_Ignorable_Code_Point removed, NFKC, casefold, Arabic/Persian letters folded):
  party names, aliases, claim texts (and their digests).
- ``source.title_key``, a digest of the title, replaces the title in the source's unique
  key: a long CJK title overflowed a PostgreSQL B-tree row.

A database may already hold clashes (a party named as another party's alias). Nothing is
dropped: the first holder (lowest party id, names before aliases) keeps the key in
``party_name``; each clash is printed and written to the log with the command that merges
the two (``claimtrack party merge``). The other party keeps its name and aliases, and is
still found by its id.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 06:50:00
"""

import datetime as dt
import hashlib
import sys
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    from claimtrack.names import normalise

    connection = op.get_bind()
    op.create_table(
        "party_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["party.id"], name=op.f("fk_party_name_party_id_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_name")),
        sa.UniqueConstraint("key", name=op.f("uq_party_name_key")),
    )
    with op.batch_alter_table("party_name", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_party_name_party_id"), ["party_id"], unique=False)
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_constraint("uq_party_name_norm_anonymous", type_="unique")
        batch_op.create_index("ix_party_name_norm", ["name_norm"], unique=False)

    # New matching keys.
    party = sa.table("party", sa.column("id"), sa.column("name"), sa.column("name_norm"),
                     sa.column("anonymous"))  # fmt: skip
    alias = sa.table("party_alias", sa.column("id"), sa.column("party_id"), sa.column("alias"),
                     sa.column("alias_norm"))  # fmt: skip
    parties = connection.execute(
        sa.select(party.c.id, party.c.name, party.c.anonymous).order_by(party.c.id)
    ).all()
    aliases = connection.execute(
        sa.select(alias.c.id, alias.c.party_id, alias.c.alias).order_by(alias.c.id)
    ).all()
    for p in parties:
        connection.execute(party.update().where(party.c.id == p.id)
                           .values(name_norm=normalise(p.name)))  # fmt: skip
    for a in aliases:
        connection.execute(alias.update().where(alias.c.id == a.id)
                           .values(alias_norm=normalise(a.alias)))  # fmt: skip
    _recompute_claim_keys(connection, normalise)

    # The namespace, first holder first; clashes reported, nothing dropped.
    names = {p.id: p.name for p in parties}
    held: dict[str, tuple[int, str]] = {}
    rows, clashes = [], []
    entries = [(p.id, p.name, "name") for p in parties]
    entries += [(a.party_id, a.alias, "alias") for a in aliases]
    for party_id, text, what in entries:
        key = normalise(text)
        holder = held.get(key)
        if holder is None:
            held[key] = (party_id, what)
            rows.append({"party_id": party_id, "key": key})
        elif holder[0] != party_id:
            clashes.append(
                f"{what} {text!r} of party #{party_id} {names[party_id]!r} is also the "
                f"{holder[1]} of party #{holder[0]} {names[holder[0]]!r}: if they are one "
                f"party, run: claimtrack party merge {party_id} {holder[0]}"
            )
    table = sa.table("party_name", sa.column("party_id"), sa.column("key"))
    for start in range(0, len(rows), BATCH):
        connection.execute(table.insert(), rows[start : start + BATCH])
    if clashes:
        event = sa.table("event", sa.column("at"), sa.column("editor"), sa.column("action"),
                         sa.column("detail"))  # fmt: skip
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for clash in clashes:
            sys.stderr.write(f"Name clash: {clash}\n")
            row = {"at": now, "editor": "db upgrade", "action": "name clash", "detail": clash}
            connection.execute(event.insert().values(**row))

    # Source titles by digest.
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_key", sa.String(length=64), nullable=True))
    source = sa.table("source", sa.column("id"), sa.column("title"), sa.column("title_key"))
    last = 0
    while True:
        part = connection.execute(
            sa.select(source.c.id, source.c.title)
            .where(source.c.id > last)
            .order_by(source.c.id)
            .limit(BATCH)
        ).all()
        if not part:
            break
        connection.execute(
            source.update()
            .where(source.c.id == sa.bindparam("sid"))
            .values(title_key=sa.bindparam("key")),
            [{"sid": s.id, "key": hashlib.sha256(s.title.encode()).hexdigest()} for s in part],
        )
        last = part[-1].id
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.alter_column("title_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint("uq_source_outlet_id_title", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_source_outlet_id_title_key"), ["outlet_id", "title_key"]
        )


def _recompute_claim_keys(connection, normalise) -> None:
    """Claim texts' keys and digests, streamed; only the changed ones are written."""
    claim = sa.table("claim", sa.column("id"), sa.column("text"), sa.column("text_norm"),
                     sa.column("text_key"))  # fmt: skip
    last = 0
    while True:
        part = connection.execute(
            sa.select(claim.c.id, claim.c.text, claim.c.text_norm)
            .where(claim.c.id > last)
            .order_by(claim.c.id)
            .limit(BATCH)
        ).all()
        if not part:
            break
        changed = []
        for c in part:
            key = normalise(c.text)
            if key != c.text_norm:
                digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
                changed.append({"cid": c.id, "norm": key, "digest": digest})
        if changed:
            connection.execute(
                claim.update()
                .where(claim.c.id == sa.bindparam("cid"))
                .values(text_norm=sa.bindparam("norm"), text_key=sa.bindparam("digest")),
                changed,
            )
        last = part[-1].id


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_constraint("uq_source_outlet_id_title_key", type_="unique")
        batch_op.create_unique_constraint("uq_source_outlet_id_title", ["outlet_id", "title"])
        batch_op.drop_column("title_key")
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_index("ix_party_name_norm")
        batch_op.create_unique_constraint(
            "uq_party_name_norm_anonymous", ["name_norm", "anonymous"]
        )
    with op.batch_alter_table("party_name", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_name_party_id"))
    op.drop_table("party_name")
