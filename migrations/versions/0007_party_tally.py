"""Per-party counts kept by every write, so ``report parties`` need not run the rule;
an index on when stances were said, so ``report changes`` reads one day as a range, and
on who said or relayed them, so ``party show`` and ``party merge`` read one party's; and
on ``claim_state`` by latest activity, so ``claim list`` starts at once at any size.

``party_claim`` (per claim and party: supports, denies, is on a side while contested,
retracted, how many stances), ``party_counter`` (the counter-claims through which a
party opposes a claim) and ``party_tally`` (``party_claim`` summed per party and topic).
``claimtrack.tally`` keeps them with ``claim_state``; here they are counted from the
rule once, from the stances and the stored ``claim_state``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("asserted", "denied", "contested", "retracted", "stances")


def _counts() -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS]


def upgrade() -> None:
    op.create_index("ix_stance_said_until", "stance", ["said_until", "claim_id"])
    op.create_index("ix_stance_party", "stance", ["party_id", "said_at"])
    op.create_index("ix_stance_via", "stance", ["via_id"])
    op.create_index("ix_claim_state_activity", "claim_state", ["last_activity", "claim_id"])
    op.create_table(
        "party_claim",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        *_counts(),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"],
                                name=op.f("fk_party_claim_claim_id_claim")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"],
                                name=op.f("fk_party_claim_party_id_party")),
        sa.PrimaryKeyConstraint("claim_id", "party_id", name=op.f("pk_party_claim")),
    )  # fmt: skip
    op.create_table(
        "party_counter",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("counter_claim_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"],
                                name=op.f("fk_party_counter_claim_id_claim")),
        sa.ForeignKeyConstraint(["counter_claim_id"], ["claim.id"],
                                name=op.f("fk_party_counter_counter_claim_id_claim")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"],
                                name=op.f("fk_party_counter_party_id_party")),
        sa.PrimaryKeyConstraint("claim_id", "party_id", "counter_claim_id",
                                name=op.f("pk_party_counter")),
    )  # fmt: skip
    op.create_index("ix_party_counter_party", "party_counter", ["party_id", "topic"])
    op.create_table(
        "party_tally",
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        *_counts(),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"],
                                name=op.f("fk_party_tally_party_id_party")),
        sa.PrimaryKeyConstraint("party_id", "topic", name=op.f("pk_party_tally")),
    )  # fmt: skip
    from sqlalchemy.orm import Session

    from claimtrack import tally

    session = Session(bind=op.get_bind())
    tally.rebuild(session, totals=False)  # party_total comes with 0011
    session.flush()


def downgrade() -> None:
    op.drop_table("party_tally")
    op.drop_index("ix_party_counter_party", table_name="party_counter")
    op.drop_table("party_counter")
    op.drop_table("party_claim")
    op.drop_index("ix_claim_state_activity", table_name="claim_state")
    op.drop_index("ix_stance_via", table_name="stance")
    op.drop_index("ix_stance_party", table_name="stance")
    op.drop_index("ix_stance_said_until", table_name="stance")
