"""``--between-sides``: the claim-by-claim test against the rule's sides read as a set.

``selection.across_sides`` decides, one claim at a time by the stances' index, whether a
claim has a party for it and a party against it acting for different sides. The plain
reading of that is a query over the rule's ``claim_sides`` relation joined to itself
(what the filter was until it took minutes at 20,000 claims): random histories, with
parties acting for one another in random chains, are recorded on both backends, and the
two must pick the same claims now, as of any said time and as known at any instant.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

ED = "test-editor"
BACKDATED = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
RECORD = st.tuples(
    st.just("record"),
    st.integers(0, 2),  # the claim
    st.integers(0, 4),  # the party
    st.sampled_from(["asserts", "confirms", "denies", "disputes", "retracts", "comments"]),
    st.integers(1, 4),  # the day
    st.integers(0, 3),  # the hour (0: a date-only stance)
    st.booleans(),  # imported with an earlier recorded_at
)
VOID = st.tuples(st.just("void"), st.integers(0, 30))
LINK = st.tuples(st.just("link"), st.integers(0, 2), st.integers(0, 2))
# Mostly stances (one_of would pick each branch alike, and leave most claims unsaid).
ACTION = st.integers(0, 9).flatmap(lambda n: RECORD if n < 7 else VOID if n < 9 else LINK)
EVENT = st.tuples(ACTION, st.booleans())
# Party n acts for party ACTS_FOR[n] (None: for itself): chains of one to three steps.
ACTS_FOR = st.tuples(*(st.one_of(st.none(), st.integers(0, 4)) for _ in range(5)))


def _record(session, acts_for, events) -> None:
    from claimtrack import record
    from claimtrack.models import Stance
    from claimtrack.times import parse_when

    parties = [record.add_party(session, f"P{n}", editor=ED) for n in range(5)]
    for n, top in enumerate(acts_for):
        if top is not None and top < n:  # an earlier party: no loops
            parties[n].acts_for = parties[top]
    claims = [record.add_claim(session, f"C{n}", topic="t", editor=ED) for n in range(3)]
    session.commit()
    for n, (event, commit) in enumerate(events):
        if event[0] == "record":
            _, claim, party, kind, day, hour, backdated = event
            said = f"2026-05-0{day}" + (f"T{hour:02d}:00+03:30" if hour else "")
            recorded = BACKDATED + dt.timedelta(seconds=n) if backdated else None
            record.add_stance(session, claims[claim], parties[party], kind,
                              said=parse_when(said, "+03:30"), editor=ED,
                              recorded_at=recorded)  # fmt: skip
        elif event[0] == "void":
            live = session.scalars(select(Stance).where(Stance.void_at.is_(None))).all()
            if live:
                record.void_stance(session, live[event[1] % len(live)], reason="test", editor=ED)
        else:
            a, b = claims[event[1]], claims[event[2]]
            if a is not b and record.find_link(session, a, b, "contradicts") is None:
                record.link_claims(session, a, b, "contradicts", editor=ED)
        if commit:
            session.commit()
    session.commit()


def _by_the_set(session, **times) -> set[int]:
    """The claims whose sides, read as a set (``claim_sides`` joined to itself), have a
    supporter and an opponent acting for different sides."""
    from claimtrack import rule
    from claimtrack.sides import top_sides

    views = rule.views(as_of="as_of" in times, known_at="known_at" in times,
                       from_stances=True)  # fmt: skip
    sides = views.claim_sides
    top = top_sides()
    placed = (
        select(sides.c.claim_id, sides.c.side, top.c.top_id)
        .join(top, top.c.party_id == sides.c.party_id)
        .subquery()
    )
    against = placed.alias("against")
    query = (
        select(placed.c.claim_id)
        .join(against, against.c.claim_id == placed.c.claim_id)
        .where(placed.c.side == "support", against.c.side == "oppose",
               placed.c.top_id != against.c.top_id)
    )  # fmt: skip
    return set(session.scalars(query, times))


def _by_the_filter(session, **times) -> set[int]:
    """The claims ``--between-sides`` picks, as a report's selection reads them."""
    from claimtrack import report
    from claimtrack.selection import Selection

    selection = Selection(between_sides=True, **times)
    return {row.claim_id for row in report.claims(session, selection)}


def _instants(session) -> tuple[list, list]:
    """Said moments and recording instants, each with the instants just around it; the
    moments links were made first among the latter (a link not yet made then is not)."""
    from claimtrack.models import ClaimLink, Stance

    tick = dt.timedelta(microseconds=1)
    said = set(session.scalars(select(Stance.said_until)))
    known = set(session.scalars(select(Stance.recorded_at)))
    known |= set(session.scalars(select(Stance.void_at).where(Stance.void_at.is_not(None))))
    linked = set(session.scalars(select(ClaimLink.created_at)))
    said_at = sorted({t + d for t in said for d in (-tick, dt.timedelta(0))})
    known_at = sorted({t + d for t in known for d in (dt.timedelta(0), tick)})
    return said_at, sorted(linked) + known_at


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(acts_for=ACTS_FOR, events=st.lists(EVENT, min_size=8, max_size=24),
       pick=st.randoms(use_true_random=False))  # fmt: skip
def test_the_claim_by_claim_test_picks_what_the_sides_as_a_set_pick(engine, acts_for, events,
                                                                    pick):  # fmt: skip
    from claimtrack import db
    from claimtrack.models import Base, ClaimLink

    with db.write_session(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
        _record(session, acts_for, events)
        assert _by_the_filter(session) == _by_the_set(session)
        said_at, known_at = _instants(session)
        links = session.scalar(select(func.count()).select_from(ClaimLink))
        for as_of in pick.sample(said_at, min(4, len(said_at))) + [None]:
            chosen = known_at[:links] + pick.sample(known_at[links:], min(4, len(known_at) - links))
            for known in [*chosen, None]:
                times = {k: v for k, v in (("as_of", as_of), ("known_at", known)) if v}
                if times:
                    assert _by_the_filter(session, **times) == _by_the_set(session, **times), times


def test_a_dispute_within_one_side_is_not_between_sides(engine, run):
    """A government's spokesman denying what its minister asserted is a dispute within
    one side; a second government denying it makes it one between sides."""

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result.output

    ok("party", "add", "Ruritania", "--kind", "government")
    ok("party", "add", "Minister", "--for", "Ruritania")
    ok("party", "add", "Spokesman", "--for", "Minister")
    ok("party", "add", "Freedonia", "--kind", "government")
    ok("claim", "add", "The bridge was closed", "--topic", "bridge", "--by", "Minister",
       "--at", "2026-05-01T09:00+02:00", "--slug", "bridge")  # fmt: skip
    ok("claim", "deny", "bridge", "--by", "Spokesman", "--at", "2026-05-01T10:00+02:00")
    assert "bridge" not in ok("report", "contested", "--between-sides", "--format", "csv")
    assert "bridge" in ok("report", "contested", "--format", "csv")
    ok("claim", "deny", "bridge", "--by", "Freedonia", "--at", "2026-05-02T10:00+02:00")
    assert "bridge" in ok("report", "contested", "--between-sides", "--format", "csv")
    before = ok("report", "contested", "--between-sides", "--as-of", "2026-05-01", "--format",
                "csv")  # fmt: skip
    assert "bridge" not in before
