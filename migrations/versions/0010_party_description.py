"""A party's description: what an editor would print after its name ("Governor, Ohio";
"spokesman, Ministry of Foreign Affairs").

Free text, optional, set by ``party add/edit --description`` and by ``import liar`` from
the speaker's job and state. It says who a party is, not whom it acts for: that stays
``acts_for_id``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_column("description")
