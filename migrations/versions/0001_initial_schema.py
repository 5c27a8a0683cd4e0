"""Initial schema and the contested-rule views.

The views hold a frozen copy of the rule in claimtrack/rule.py as it stood at this
revision; a later change to the rule comes with a revision that replaces them.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 13:57:35.467184
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name -> body, in dependency order.
VIEWS = {
    "stance_latest": """
SELECT claim_id, party_id, stance_id, kind, said_at, withdrawn_kind
FROM (
    SELECT s.claim_id, s.party_id, s.id AS stance_id, s.kind, s.said_at,
           LEAD(s.kind) OVER (
               PARTITION BY s.claim_id, s.party_id ORDER BY s.said_at DESC, s.id DESC
           ) AS withdrawn_kind,
           ROW_NUMBER() OVER (
               PARTITION BY s.claim_id, s.party_id ORDER BY s.said_at DESC, s.id DESC
           ) AS recency
    FROM stance AS s
    WHERE s.kind IN ('asserts', 'confirms', 'denies', 'disputes', 'retracts')
) AS positions
WHERE recency = 1
""",
    "claim_sides": """
SELECT l.claim_id, l.party_id,
       CASE WHEN l.kind IN ('asserts', 'confirms') THEN 'support' ELSE 'oppose' END AS side,
       l.kind, l.stance_id, l.said_at, CAST(NULL AS INTEGER) AS counter_claim_id
FROM stance_latest AS l
WHERE l.kind <> 'retracts'
UNION ALL
SELECT x.claim_id, l.party_id, 'oppose' AS side, l.kind, l.stance_id, l.said_at,
       x.other_claim_id AS counter_claim_id
FROM (
    SELECT from_claim_id AS claim_id, to_claim_id AS other_claim_id
    FROM claim_link WHERE kind = 'contradicts'
    UNION
    SELECT to_claim_id AS claim_id, from_claim_id AS other_claim_id
    FROM claim_link WHERE kind = 'contradicts'
) AS x
JOIN stance_latest AS l
  ON l.claim_id = x.other_claim_id AND l.kind IN ('asserts', 'confirms')
""",
    "claim_status": """
SELECT c.id AS claim_id, c.topic,
       CASE
           WHEN t.supporters > 0 AND t.opponents > 0
                AND NOT (t.supporters = 1 AND t.opponents = 1
                         AND t.a_supporter = t.an_opponent) THEN 'contested'
           WHEN t.supporters > 0 AND t.opponents > 0 THEN 'self-contradicted'
           WHEN t.supporters > 0 THEN 'asserted'
           WHEN r.retractions > 0 THEN 'retracted'
           WHEN t.opponents > 0 THEN 'denied'
           ELSE 'unsupported'
       END AS status,
       COALESCE(t.supporters, 0) AS supporters,
       COALESCE(t.opponents, 0) AS opponents,
       CASE
           WHEN t.supporters > 0 AND t.opponents > 0
                AND NOT (t.supporters = 1 AND t.opponents = 1
                         AND t.a_supporter = t.an_opponent)
           THEN CASE WHEN t.first_support > t.first_opposition
                     THEN t.first_support ELSE t.first_opposition END
       END AS contested_since,
       a.first_said AS first_reported,
       CASE WHEN a.last_said IS NULL OR t.last_position > a.last_said
            THEN t.last_position ELSE a.last_said END AS last_activity
FROM claim AS c
LEFT JOIN (
    SELECT claim_id,
           COUNT(DISTINCT CASE WHEN side = 'support' THEN party_id END) AS supporters,
           COUNT(DISTINCT CASE WHEN side = 'oppose' THEN party_id END) AS opponents,
           MIN(CASE WHEN side = 'support' THEN party_id END) AS a_supporter,
           MIN(CASE WHEN side = 'oppose' THEN party_id END) AS an_opponent,
           MIN(CASE WHEN side = 'support' THEN said_at END) AS first_support,
           MIN(CASE WHEN side = 'oppose' THEN said_at END) AS first_opposition,
           MAX(said_at) AS last_position
    FROM claim_sides
    GROUP BY claim_id
) AS t ON t.claim_id = c.id
LEFT JOIN (
    SELECT claim_id, COUNT(*) AS retractions
    FROM stance_latest
    WHERE kind = 'retracts' AND withdrawn_kind IN ('asserts', 'confirms')
    GROUP BY claim_id
) AS r ON r.claim_id = c.id
LEFT JOIN (
    SELECT s.claim_id, MIN(s.said_at) AS first_said, MAX(s.said_at) AS last_said
    FROM stance AS s
    WHERE 1 = 1
    GROUP BY s.claim_id
) AS a ON a.claim_id = c.id
WHERE c.merged_into_id IS NULL
""",
    "contested_claims": """
SELECT st.claim_id, st.topic, c.text, st.supporters, st.opponents,
       st.contested_since, st.first_reported, st.last_activity
FROM claim_status AS st
JOIN claim AS c ON c.id = st.claim_id
WHERE st.status = 'contested'
""",
}


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_norm", sa.Text(), nullable=False),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["claim.id"], name=op.f("fk_claim_merged_into_id_claim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
        sa.UniqueConstraint("slug", name=op.f("uq_claim_slug")),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index("ix_claim_topic_text_key", ["topic", "text_key"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("editor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_at"), ["at"], unique=False)

    op.create_table(
        "party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_norm", sa.String(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "person",
                "government",
                "agency",
                "organisation",
                "media",
                "anonymous",
                name="party_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("acts_for_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "anonymous = (kind = 'anonymous')", name=op.f("ck_party_anonymous_matches_kind")
        ),
        sa.CheckConstraint(
            "acts_for_id IS NULL OR acts_for_id <> id", name=op.f("ck_party_not_own_affiliate")
        ),
        sa.ForeignKeyConstraint(
            ["acts_for_id"], ["party.id"], name=op.f("fk_party_acts_for_id_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party")),
        sa.UniqueConstraint("name_norm", "anonymous", name=op.f("uq_party_name_norm_anonymous")),
    )
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_party_acts_for_id"), ["acts_for_id"], unique=False)

    op.create_table(
        "claim_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_claim_id", sa.Integer(), nullable=False),
        sa.Column("to_claim_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "contradicts",
                "same_as",
                name="link_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.CheckConstraint(
            "from_claim_id <> to_claim_id", name=op.f("ck_claim_link_not_self_link")
        ),
        sa.ForeignKeyConstraint(
            ["from_claim_id"], ["claim.id"], name=op.f("fk_claim_link_from_claim_id_claim")
        ),
        sa.ForeignKeyConstraint(
            ["to_claim_id"], ["claim.id"], name=op.f("fk_claim_link_to_claim_id_claim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_link")),
        sa.UniqueConstraint(
            "from_claim_id",
            "to_claim_id",
            "kind",
            name=op.f("uq_claim_link_from_claim_id_to_claim_id_kind"),
        ),
    )
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_link_to_claim_id"), ["to_claim_id"], unique=False
        )

    op.create_table(
        "party_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("alias_norm", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["party.id"], name=op.f("fk_party_alias_party_id_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_alias")),
        sa.UniqueConstraint(
            "party_id", "alias_norm", name=op.f("uq_party_alias_party_id_alias_norm")
        ),
    )
    with op.batch_alter_table("party_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_party_alias_alias_norm"), ["alias_norm"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_offset", sa.Integer(), nullable=True),
        sa.Column(
            "published_precision",
            sa.Enum(
                "day",
                "minute",
                "second",
                name="published_precision",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["party.id"], name=op.f("fk_source_outlet_id_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("outlet_id", "title", name=op.f("uq_source_outlet_id_title")),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_outlet_id"), ["outlet_id"], unique=False)

    op.create_table(
        "stance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "asserts",
                "confirms",
                "denies",
                "disputes",
                "retracts",
                "questions",
                "comments",
                name="stance_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("quote_lang", sa.String(), nullable=True),
        sa.Column("via_id", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("said_at", sa.DateTime(), nullable=False),
        sa.Column("said_offset", sa.Integer(), nullable=False),
        sa.Column(
            "said_precision",
            sa.Enum(
                "day",
                "minute",
                "second",
                name="said_precision",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], name=op.f("fk_stance_claim_id_claim")),
        sa.ForeignKeyConstraint(["party_id"], ["party.id"], name=op.f("fk_stance_party_id_party")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_stance_source_id_source")
        ),
        sa.ForeignKeyConstraint(["via_id"], ["party.id"], name=op.f("fk_stance_via_id_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stance")),
    )
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stance_latest", ["claim_id", "party_id", "said_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stance_party_id"), ["party_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stance_said_at"), ["said_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_stance_source_id"), ["source_id"], unique=False)

    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW {name}")
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stance_source_id"))
        batch_op.drop_index(batch_op.f("ix_stance_said_at"))
        batch_op.drop_index(batch_op.f("ix_stance_party_id"))
        batch_op.drop_index("ix_stance_latest")

    op.drop_table("stance")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_outlet_id"))

    op.drop_table("source")
    with op.batch_alter_table("party_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_alias_alias_norm"))

    op.drop_table("party_alias")
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_link_to_claim_id"))

    op.drop_table("claim_link")
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_acts_for_id"))

    op.drop_table("party")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_at"))

    op.drop_table("event")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_topic_text_key")

    op.drop_table("claim")
