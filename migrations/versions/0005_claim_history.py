"""The stored history: each claim's state over said time and recorded time.

``claim_history`` holds, for each claim, the rows of the rule's ``claim_status`` and the
stretch of said time (``said_from``..``said_until``) and of the desk's record
(``known_from``..``known_until``) over which each held, so ``--as-of`` and
``--known-at`` reports are index look-ups. Every write keeps it from now on
(``claimtrack.state_history``); existing claims are replayed from their stances here,
after their stances are put in said order again (``claimtrack.order`` now keeps a stance
plainly said before another before it, whatever overlaps both). Nothing is lost.

The backfill calls the package's rebuild (``state.rebuild``), which runs the
rule as this revision's views define it: the history is derived data, and a later
revision that changes the rule rebuilds it the same way.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("contested", "self-contradicted", "asserted", "retracted", "denied", "unsupported")


def upgrade() -> None:
    op.create_table(
        "claim_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("known_from", sa.DateTime(), nullable=False),
        sa.Column("known_until", sa.DateTime(), nullable=True),
        sa.Column("said_from", sa.DateTime(), nullable=False),
        sa.Column("said_until", sa.DateTime(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                *STATUSES,
                name="claim_history_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),  # fmt: skip
            nullable=False,
        ),
        sa.Column("supporters", sa.Integer(), nullable=False),
        sa.Column("opponents", sa.Integer(), nullable=False),
        sa.Column("contested_since", sa.DateTime(), nullable=True),
        sa.Column("first_reported", sa.DateTime(), nullable=True),
        sa.Column("last_activity", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_history_claim_id_claim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_history")),
    )
    with op.batch_alter_table("claim_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_history_claim", ["claim_id", "known_until", "said_from"], unique=False
        )
        batch_op.create_index(
            "ix_claim_history_status_activity", ["status", "last_activity"], unique=False
        )
    from sqlalchemy.orm import Session

    from claimtrack import state

    # Said order now always puts a stance plainly said before another first, even where a
    # date-only stance overlaps both: re-rank, re-rate, and replay every claim.
    session = Session(bind=op.get_bind())
    state.rebuild(session, counts=False)  # party_tally comes with 0007
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("claim_history", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_history_status_activity")
        batch_op.drop_index("ix_claim_history_claim")
    op.drop_table("claim_history")
