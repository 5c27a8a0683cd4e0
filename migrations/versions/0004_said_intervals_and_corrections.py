"""Said times as intervals, said order kept per party, and corrections by the desk.

Each stance gains ``said_until`` (the end of the day, minute or second it was said in),
``said_rank`` (its place among the same party's stances on the claim, later said later,
and where two intervals overlap the later recorded later), and the void columns of a
correction (``void_at``, ``void_by``, ``void_reason``, ``amends_id``). The rule's views
are replaced: a voided stance no longer counts, each party's latest stance is the last
in said order, and a claim nobody has stated (no stance that counts) has no status.
Existing stances are backfilled; nothing is lost.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 04:10:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SPAN = {"day": dt.timedelta(days=1), "minute": dt.timedelta(minutes=1),
        "second": dt.timedelta(seconds=1)}  # fmt: skip
BATCH = 5000

# The rule as of this revision (claimtrack/rule.py; tests/test_rule.py keeps them equal).
VIEWS = {
    "stance_latest": """
SELECT claim_id, party_id, stance_id, kind, said_at, withdrawn_kind
FROM (
    SELECT s.claim_id, s.party_id, s.id AS stance_id, s.kind, s.said_at,
           LEAD(s.kind) OVER (
               PARTITION BY s.claim_id, s.party_id ORDER BY s.said_rank DESC, s.id DESC
           ) AS withdrawn_kind,
           ROW_NUMBER() OVER (
               PARTITION BY s.claim_id, s.party_id ORDER BY s.said_rank DESC, s.id DESC
           ) AS recency
    FROM stance AS s
    WHERE s.kind IN ('asserts', 'confirms', 'denies', 'disputes', 'retracts') AND s.void_at IS NULL
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
    WHERE s.void_at IS NULL
    GROUP BY s.claim_id
) AS a ON a.claim_id = c.id
WHERE c.merged_into_id IS NULL AND a.first_said IS NOT NULL
""",
    "contested_claims": """
SELECT st.claim_id, st.topic, c.text, st.supporters, st.opponents,
       st.contested_since, st.first_reported, st.last_activity
FROM claim_status AS st
JOIN claim AS c ON c.id = st.claim_id
WHERE st.status = 'contested'
""",
}
OLD_ORDER = "ORDER BY s.said_at DESC, s.id DESC"
NEW_ORDER = "ORDER BY s.said_rank DESC, s.id DESC"


def _old_views() -> dict[str, str]:
    """The views of revision 0001, rebuilt from these (for the downgrade)."""
    old = {name: body.replace(NEW_ORDER, OLD_ORDER) for name, body in VIEWS.items()}
    old["stance_latest"] = old["stance_latest"].replace(" AND s.void_at IS NULL", "")
    old["claim_status"] = (
        old["claim_status"]
        .replace("WHERE s.void_at IS NULL", "WHERE 1 = 1")
        .replace(" AND a.first_said IS NOT NULL", "")
    )
    return old


def _drop_views() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW {name}")


def _create_views(views: dict[str, str]) -> None:
    for name, body in views.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def _naive(value):
    if isinstance(value, str):  # SQLite hands back text
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=None)


def _backfill(connection) -> None:
    """said_until from said_at and precision; said_rank per claim and party, in said
    order (the order of claimtrack/order.py, frozen here as migrations must be)."""
    stance = sa.table(
        "stance", sa.column("id"), sa.column("claim_id"), sa.column("party_id"),
        sa.column("said_at"), sa.column("said_precision"), sa.column("recorded_at"),
        sa.column("said_until"), sa.column("said_rank"),
    )  # fmt: skip
    query = (
        sa.select(stance.c.id, stance.c.claim_id, stance.c.party_id, stance.c.said_at,
                  stance.c.said_precision, stance.c.recorded_at)
        .order_by(stance.c.claim_id, stance.c.party_id, stance.c.id)
    )  # fmt: skip
    statement = (
        sa.update(stance)
        .where(stance.c.id == sa.bindparam("sid"))
        .values(said_until=sa.bindparam("until"), said_rank=sa.bindparam("rank"))
    )
    # Read in one ordered pass, a claim and party at a time; write in batches: memory
    # stays flat however many stances there are (on PostgreSQL the reading is a named
    # cursor, which the writes in the same transaction leave alone).
    rows = connection.execute(query.execution_options(stream_results=True, yield_per=BATCH))
    updates: list[dict] = []
    group: list = []
    for r in rows:
        if group and (group[0][4], group[0][5]) != (r.claim_id, r.party_id):
            updates.extend(_ranked(group))
            group = []
        at = _naive(r.said_at)
        group.append((_naive(r.recorded_at), r.id, at, at + SPAN[r.said_precision],
                      r.claim_id, r.party_id))  # fmt: skip
        if len(updates) >= BATCH:
            connection.execute(statement, updates)
            updates = []
    updates.extend(_ranked(group))
    if updates:
        connection.execute(statement, updates)


def _ranked(group: list) -> list[dict]:
    """One claim and party's stances in said order, as update parameters."""
    sequence: list = []
    for item in sorted(group):
        place = len(sequence)
        while place > 0 and sequence[place - 1][2] >= item[3]:
            place -= 1
        sequence.insert(place, item)
    return [{"sid": s[1], "until": s[3], "rank": n} for n, s in enumerate(sequence)]


def upgrade() -> None:
    _drop_views()
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("said_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("said_rank", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("void_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("void_by", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("amends_id", sa.Integer(), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.alter_column("said_until", existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column("said_rank", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_stance_amends_id_stance"), "stance", ["amends_id"], ["id"]
        )
    _create_views(VIEWS)


def downgrade() -> None:
    _drop_views()
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_stance_amends_id_stance"), type_="foreignkey")
        batch_op.drop_column("amends_id")
        batch_op.drop_column("void_reason")
        batch_op.drop_column("void_by")
        batch_op.drop_column("void_at")
        batch_op.drop_column("said_rank")
        batch_op.drop_column("said_until")
    _create_views(_old_views())
