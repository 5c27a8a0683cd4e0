"""First reported: the first stance of the claim's timeline, on the clock ``--as-of`` and the
stored history read (the stance whose said time was over first), not the earliest start of
any said time.

A date-only stance is over at the end of its day, in its offset, so of a question said
on 27 September (+03:00) and an assertion at 19:05+02:00 that day, the assertion came
first, as the timeline and the history say; ``MIN(said_at)`` took the question's day,
which began earlier. ``claim_status.first_reported`` still holds a said time's start
(the start of that stance's said interval), so the value changes only for a claim with
one stance whose said time lies strictly inside another's (a date-only stance and a
timed one of its day, a minute and a second in it) where the wider one began first.

The view ``claim_status`` is replaced, and only those claims (on any of their stances,
voided ones included: ``--known-at`` before a void counts them) are replayed, their
stored state and history re-derived as ``db rebuild-status`` would (``state.refresh``
with ``replay``): derived data, nothing is lost. At a million claims whose stances are
all timed to the minute no claim qualifies, and the upgrade is the one read that finds
them.

The downgrade puts the old view back; run ``claimtrack db rebuild-status`` with the older
claimtrack afterwards to re-derive the stored state under its rule (as revision 0012).

Revision ID: 0016_first
Revises: 0015_ids
Create Date: 2026-11-28 02:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_first"
down_revision: str | None = "0015_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What a replay writes (the claims' state, history and the parties' kept counts): the only
# tables it could leave a dangling key in (claimtrack.db._migrating checks these alone).
SQLITE_KEYS_TO_CHECK = ("claim_state", "claim_history", "party_claim", "party_counter",
                        "party_tally", "party_total", "side_claim", "side_total")  # fmt: skip

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
    SELECT claim_id,
           MIN(CASE WHEN said_until = first_over THEN said_at END) AS first_said,
           MAX(said_at) AS last_said
    FROM (
        SELECT s.claim_id, s.said_at, s.said_until,
               MIN(s.said_until) OVER (PARTITION BY s.claim_id) AS first_over
        FROM stance AS s
        WHERE s.void_at IS NULL
    ) AS said
    GROUP BY claim_id
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

# What changed since revision 0012's views (undone by the downgrade).
NEW_FIRST = """    SELECT claim_id,
           MIN(CASE WHEN said_until = first_over THEN said_at END) AS first_said,
           MAX(said_at) AS last_said
    FROM (
        SELECT s.claim_id, s.said_at, s.said_until,
               MIN(s.said_until) OVER (PARTITION BY s.claim_id) AS first_over
        FROM stance AS s
        WHERE s.void_at IS NULL
    ) AS said
    GROUP BY claim_id
"""
OLD_FIRST = """    SELECT s.claim_id, MIN(s.said_at) AS first_said, MAX(s.said_at) AS last_said
    FROM stance AS s
    WHERE s.void_at IS NULL
    GROUP BY s.claim_id
"""

# The claims whose first reported the change can move: one of their stances (voided or
# not) said strictly inside the said time of another that began before it.
NESTED = """
SELECT DISTINCT wide.claim_id
FROM stance AS wide
JOIN stance AS inner_ ON inner_.claim_id = wide.claim_id
WHERE inner_.said_precision <> wide.said_precision
  AND inner_.said_at > wide.said_at AND inner_.said_until < wide.said_until
"""


def _replace_views(claim_status: str) -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW {name}")
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {claim_status if name == 'claim_status' else body}")


def _replay() -> None:
    """Re-derive the stored state and history of the claims the change can move."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from claimtrack import state

    session = Session(bind=op.get_bind())
    claim_ids = [row[0] for row in session.execute(text(NESTED))]
    if len(claim_ids) > state.REBUILD_ABOVE:
        state.rebuild(session, counts=False)  # the parties' counts do not read the times
    elif claim_ids:
        state.refresh(session, claim_ids, replay=claim_ids)
    session.flush()


def upgrade() -> None:
    assert VIEWS["claim_status"].count(NEW_FIRST) == 1
    _replace_views(VIEWS["claim_status"])
    _replay()


def downgrade() -> None:
    _replace_views(VIEWS["claim_status"].replace(NEW_FIRST, OLD_FIRST))
