"""Contested since: when the claim came to count as contested, read on the same axis as
``--as-of`` and the stored history.

A stance counts as of T once its said interval is over by T, so the two sides first
coexist when the later of the earliest stance for and the earliest stance against has
ended: a date-only denial of 18 October makes a claim asserted at 01:35 that day
contested from the end of the denial's day, as the claim's history says, not from 01:35.
``claim_status.contested_since`` now holds that instant (the end of the said interval of
the stance that began it; reports print that stance's said time, with its offset and
precision), and ``stance_latest`` and ``claim_sides`` carry each stance's ``said_until``.
The views are replaced and every claim's state and history re-derived
(``state.rebuild``, as revision 0005 does): derived data, nothing is lost.

The downgrade puts the old views back; run ``claimtrack db rebuild-status`` with the
older claimtrack afterwards to re-derive the stored state under its rule.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rule as of this revision (claimtrack/rule.py; tests/test_rule.py keeps them equal).
VIEWS = {
    "stance_latest": """
SELECT claim_id, party_id, stance_id, kind, said_at, withdrawn_kind, said_until
FROM (
    SELECT s.claim_id, s.party_id, s.id AS stance_id, s.kind, s.said_at, s.said_until,
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
       l.kind, l.stance_id, l.said_at, CAST(NULL AS INTEGER) AS counter_claim_id,
       l.said_until
FROM stance_latest AS l
WHERE l.kind <> 'retracts'
UNION ALL
SELECT x.claim_id, l.party_id, 'oppose' AS side, l.kind, l.stance_id, l.said_at,
       x.other_claim_id AS counter_claim_id, l.said_until
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
           MIN(CASE WHEN side = 'support' THEN said_until END) AS first_support,
           MIN(CASE WHEN side = 'oppose' THEN said_until END) AS first_opposition,
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
# What changed since revision 0004's views (undone by the downgrade).
CHANGES = (
    ("SELECT claim_id, party_id, stance_id, kind, said_at, withdrawn_kind, said_until",
     "SELECT claim_id, party_id, stance_id, kind, said_at, withdrawn_kind"),
    ("s.kind, s.said_at, s.said_until,", "s.kind, s.said_at,"),
    ("AS counter_claim_id,\n       l.said_until\n", "AS counter_claim_id\n"),
    ("x.other_claim_id AS counter_claim_id, l.said_until\n",
     "x.other_claim_id AS counter_claim_id\n"),
    ("'support' THEN said_until END) AS first_support",
     "'support' THEN said_at END) AS first_support"),
    ("'oppose' THEN said_until END) AS first_opposition",
     "'oppose' THEN said_at END) AS first_opposition"),
)  # fmt: skip


def _old_views() -> dict[str, str]:
    old = {}
    for name, body in VIEWS.items():
        for new, was in CHANGES:
            body = body.replace(new, was)
        old[name] = body
    return old


def _replace_views(views: dict[str, str]) -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW {name}")
    for name, body in views.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def upgrade() -> None:
    _replace_views(VIEWS)
    from sqlalchemy.orm import Session

    from claimtrack import state

    session = Session(bind=op.get_bind())
    state.rebuild(session, counts=False)  # the parties' counts do not read the times
    session.flush()


def downgrade() -> None:
    _replace_views(_old_views())
