"""Per-party counts over every topic, kept by every write (``party_total``), so that
``report parties`` reads one row per party instead of summing one per party and topic
(467,000 rows at a million claims); and the counter-claim in ``party_counter``'s party
index, so counting a party's counter-claims reads the index alone.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("asserted", "denied", "contested", "retracted", "stances")


def upgrade() -> None:
    total = op.create_table(
        "party_total",
        sa.Column("party_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"],
                                name=op.f("fk_party_total_party_id_party")),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_party_total")),
    )  # fmt: skip
    tally = sa.table("party_tally", sa.column("party_id"), *map(sa.column, COUNTS))
    summed = sa.select(tally.c.party_id, *(sa.func.sum(tally.c[n]) for n in COUNTS))
    op.execute(total.insert().from_select(["party_id", *COUNTS], summed.group_by(tally.c.party_id)))
    op.drop_index("ix_party_counter_party", table_name="party_counter")
    op.create_index("ix_party_counter_party", "party_counter",
                    ["party_id", "topic", "counter_claim_id"])  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_party_counter_party", table_name="party_counter")
    op.create_index("ix_party_counter_party", "party_counter", ["party_id", "topic"])
    op.drop_table("party_total")
