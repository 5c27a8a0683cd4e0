"""Derived per-claim status, kept in step with the rule by every write.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("contested", "self-contradicted", "asserted", "retracted", "denied", "unsupported")
BACKFILL = """
INSERT INTO claim_state (claim_id, topic, status, supporters, opponents, contested_since,
                         first_reported, last_activity)
SELECT claim_id, topic, status, supporters, opponents, contested_since, first_reported,
       last_activity
FROM claim_status
"""


def upgrade() -> None:
    op.create_table(
        "claim_state",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *STATUSES, name="claim_status", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column("supporters", sa.Integer(), nullable=False),
        sa.Column("opponents", sa.Integer(), nullable=False),
        sa.Column("contested_since", sa.DateTime(), nullable=True),
        sa.Column("first_reported", sa.DateTime(), nullable=True),
        sa.Column("last_activity", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_state_claim_id_claim")
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_state")),
    )
    with op.batch_alter_table("claim_state", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_state_status_activity", ["status", "last_activity"], unique=False
        )
    # Existing claims get their state from the rule's view.
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("claim_state", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_state_status_activity")
    op.drop_table("claim_state")
