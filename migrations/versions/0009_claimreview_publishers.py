"""Verdicts published by others: who published each (a party), its address, when (with
the offset and precision given), and a label the shared scale may not place.

``claimtrack import claimreview`` keeps other fact-checkers' ClaimReview as verdicts:
``publisher_id`` is the organisation that published it (NULL: the desk itself),
``publisher_url`` that organisation's address as the review gave it, ``published_*`` the
review's datePublished as given (a day or an instant, in its offset). ``rating`` becomes
nullable: a publisher's label such as "Four Pinocchios" has no place on the shared scale
unless someone says which, and a guess would misreport the publisher.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRECISIONS = ("day", "minute", "second")
CHECK = "ck_verdict_verdict_published_precision"


def upgrade() -> None:
    with op.batch_alter_table("verdict", schema=None) as batch_op:
        batch_op.alter_column("rating", existing_type=sa.String(length=20), nullable=True)
        batch_op.add_column(sa.Column("publisher_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("publisher_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_offset", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("published_precision", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            op.f(CHECK),
            sa.column("published_precision").in_(PRECISIONS),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_verdict_publisher_id_party"), "party", ["publisher_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_verdict_publisher_id"), ["publisher_id"])


def downgrade() -> None:
    # Verdicts the shared scale could not place cannot go back to a NOT NULL rating:
    # refuse rather than invent one.
    bind = op.get_bind()
    unplaced = bind.execute(sa.text("SELECT count(*) FROM verdict WHERE rating IS NULL")).scalar()
    if unplaced:
        raise RuntimeError(
            f"{unplaced} verdict(s) have no place on the shared scale: give them one "
            "('verdict set --as') or delete them before downgrading below 0009"
        )
    with op.batch_alter_table("verdict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verdict_publisher_id"))
        batch_op.drop_constraint(batch_op.f("fk_verdict_publisher_id_party"), type_="foreignkey")
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        for column in (
            "published_precision", "published_offset", "published_at", "publisher_url",
            "publisher_id",
        ):  # fmt: skip
            batch_op.drop_column(column)
        batch_op.alter_column("rating", existing_type=sa.String(length=20), nullable=False)
