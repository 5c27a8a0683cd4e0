"""The contested rule on hand-built cases, on SQLite and PostgreSQL."""

from __future__ import annotations

import glob
import importlib.util
import re
from pathlib import Path

import pytest

from claimtrack import record, report, rule
from claimtrack.selection import Selection
from claimtrack.times import parse_when

ED = "test-editor"


class Story:
    """A small story built through the domain layer, as the CLI would."""

    def __init__(self, session):
        self.session = session
        self.parties = {}

    def party(self, name):
        if name not in self.parties:
            self.parties[name] = record.add_party(self.session, name, kind="person", editor=ED)
        return self.parties[name]

    def claim(self, text):
        return record.add_claim(self.session, text, topic="t", editor=ED)

    def stance(self, claim, who, kind, at):
        return record.add_stance(
            self.session, claim, self.party(who), kind, said=parse_when(at), editor=ED
        )

    def status(self, claim, as_of=None):
        self.session.flush()
        """The claim's status, as of the end of what ``as_of`` names; None if nobody had
        stated it by then (it did not exist yet)."""
        selection = Selection(as_of=parse_when(as_of).until if as_of else None)
        return next((r.status for r in report.claims(self.session, selection)
                     if r.claim_id == claim.id), None)  # fmt: skip


def contested_claims(session, as_of=None):
    selection = Selection(status="contested", as_of=as_of)
    return list(report.claims(session, selection, detail=True))


@pytest.fixture
def story(session):
    return Story(session)


def test_assert_and_deny_is_contested(story):
    c = story.claim("The US agreed to unfreeze assets")
    story.stance(c, "Iranian official", "asserts", "2026-04-11")
    assert story.status(c) == "asserted"
    story.stance(c, "US official", "denies", "2026-04-11")
    assert story.status(c) == "contested"


def test_only_denials_is_denied(story):
    c = story.claim("A claim nobody makes")
    story.stance(c, "A", "denies", "2026-04-11")
    story.stance(c, "B", "disputes", "2026-04-12")
    assert story.status(c) == "denied"


def test_retraction_withdraws_the_partys_stance(story):
    c = story.claim("Talks extended by a day")
    story.stance(c, "Iranian media", "asserts", "2026-04-12T01:00+03:30")
    story.stance(c, "US", "denies", "2026-04-12T06:00+03:30")
    assert story.status(c) == "contested"
    story.stance(c, "Iranian media", "retracts", "2026-04-12T12:00+03:30")
    assert story.status(c) == "retracted"


def test_retracting_a_denial_leaves_the_assertion_standing(story):
    c = story.claim("X happened")
    story.stance(c, "A", "asserts", "2026-04-10")
    story.stance(c, "B", "denies", "2026-04-11")
    story.stance(c, "B", "retracts", "2026-04-12")
    assert story.status(c) == "asserted"


def test_latest_stance_wins_and_order_of_recording_does_not_matter(story):
    c = story.claim("Y happened")
    story.stance(c, "A", "asserts", "2026-04-10")
    # B's denial is recorded first but said later than B's confirmation.
    story.stance(c, "B", "denies", "2026-04-12")
    story.stance(c, "B", "confirms", "2026-04-11")
    assert story.status(c) == "contested"
    story.stance(c, "B", "confirms", "2026-04-13")
    assert story.status(c) == "asserted"


def test_questions_and_comments_take_no_position(story):
    c = story.claim("Z happened")
    story.stance(c, "A", "asserts", "2026-04-10")
    story.stance(c, "B", "questions", "2026-04-11")
    story.stance(c, "C", "comments", "2026-04-11")
    assert story.status(c) == "asserted"
    only_questions = story.claim("W happened")
    story.stance(only_questions, "B", "questions", "2026-04-11")
    assert story.status(only_questions) == "unsupported"


def test_counter_claim_link_makes_both_contested(story):
    transit = story.claim("Two destroyers transited Hormuz")
    expelled = story.claim("Iran intercepted and expelled the ships")
    story.stance(transit, "US", "asserts", "2026-04-11")
    story.stance(expelled, "Iran", "asserts", "2026-04-11")
    assert story.status(transit) == "asserted"
    record.link_claims(story.session, expelled, transit, "contradicts", editor=ED)
    assert story.status(transit) == "contested"
    assert story.status(expelled) == "contested"  # symmetric


def test_same_as_links_do_not_oppose(story):
    a = story.claim("A")
    b = story.claim("B")
    story.stance(a, "P", "asserts", "2026-04-11")
    story.stance(b, "Q", "asserts", "2026-04-11")
    record.link_claims(story.session, a, b, "same_as", editor=ED)
    assert story.status(a) == "asserted"


def test_self_contradiction_is_not_contested(story):
    c = story.claim("21 hours")
    d = story.claim("24 to 25 hours")
    story.stance(c, "Vance", "asserts", "2026-04-12")
    story.stance(d, "Vance", "asserts", "2026-04-13")
    record.link_claims(story.session, d, c, "contradicts", editor=ED)
    assert story.status(c) == "self-contradicted"
    # A second party on either side makes it contested.
    story.stance(d, "Baghaei", "asserts", "2026-04-12")
    assert story.status(c) == "contested"


def test_as_of_shows_the_state_editors_knew_then(story):
    c = story.claim("Assets unfrozen")
    story.stance(c, "Iranian official", "asserts", "2026-04-11T10:00+05:00")
    story.stance(c, "US official", "denies", "2026-04-12T09:00+05:00")
    assert story.status(c, as_of="2026-04-11T23:00+05:00") == "asserted"
    assert story.status(c, as_of="2026-04-12T09:00+05:00") == "contested"  # at T counts
    assert story.status(c, as_of="2026-04-10") is None  # nobody had stated it yet
    assert story.status(c) == "contested"


def test_as_of_respects_retraction_timing(story):
    c = story.claim("Talks resume tomorrow")
    story.stance(c, "A", "asserts", "2026-04-10")
    story.stance(c, "B", "denies", "2026-04-10")
    story.stance(c, "A", "retracts", "2026-04-12")
    assert story.status(c, as_of="2026-04-11") == "contested"
    assert story.status(c) == "retracted"


def test_report_names_both_sides_and_contested_since(story):
    c = story.claim("Handshakes in the room")
    story.stance(c, "Western media", "asserts", "2026-04-11T20:00+05:00")
    story.stance(c, "Tasnim", "denies", "2026-04-12T09:30+03:30")
    story.stance(c, "Xinhua", "comments", "2026-04-12T18:00+08:00")
    story.session.flush()
    [row] = contested_claims(story.session)
    assert [p.party for p in row.support] == ["Western media"]
    assert [t.party for t in row.timeline] == ["Western media", "Tasnim", "Xinhua"]
    assert [p.party for p in row.oppose] == ["Tasnim"]
    assert str(row.contested_since) == "2026-04-12 09:30+03:30"
    assert str(row.last_activity) == "2026-04-12 18:00+08:00"
    assert contested_claims(story.session, as_of=parse_when("2026-04-12").at) == []


def test_last_activity_counts_stances_for_a_counter_claim_not_against_it(story):
    """docs/model.md: a claim's last activity is its own latest stance, or the latest
    stance that puts a party against it through a counter-claim; a denial of the
    counter-claim is the counter-claim's activity."""
    claim = story.claim("Two destroyers crossed the strait")
    counter = story.claim("The destroyers were turned back")
    story.stance(claim, "CENTCOM", "asserts", "2026-04-11T18:00+00:00")
    story.stance(counter, "IRGC navy", "asserts", "2026-04-11T23:00+03:30")
    record.link_claims(story.session, counter, claim, "contradicts", editor=ED)
    story.session.flush()

    def activity():
        story.session.flush()
        rows = report.claims(story.session, Selection(), detail=True)
        return {r.claim_id: str(r.last_activity) for r in rows}

    assert activity()[claim.id] == "2026-04-11 23:00+03:30"  # the counter-claim, for it
    story.stance(counter, "Pentagon", "denies", "2026-04-12T09:00-04:00")
    assert activity() == {claim.id: "2026-04-11 23:00+03:30",
                          counter.id: "2026-04-12 09:00-04:00"}  # fmt: skip
    story.stance(counter, "Tasnim", "confirms", "2026-04-12T10:00+03:30")
    assert activity()[claim.id] == "2026-04-12 10:00+03:30"


def test_views_agree_with_the_as_of_query_at_the_end_of_time(story):
    a = story.claim("A1")
    b = story.claim("B1")
    story.stance(a, "P", "asserts", "2026-04-10")
    story.stance(a, "Q", "denies", "2026-04-11")
    story.stance(b, "Q", "asserts", "2026-04-11")
    story.stance(b, "P", "retracts", "2026-04-12")
    record.link_claims(story.session, a, b, "contradicts", editor=ED)
    story.session.flush()

    def statuses(as_of):
        views = rule.views(as_of is not None)
        st = views.claim_status
        query = views.select(
            st.c.claim_id,
            st.c.status,
            st.c.supporters,
            st.c.opponents,
            st.c.contested_since,
            st.c.last_activity,
        ).order_by(st.c.claim_id)
        return story.session.execute(query, {"as_of": as_of} if as_of else {}).all()

    bare = statuses(None)
    far = statuses(parse_when("2999-01-01").at)
    assert bare == far and len(bare) == 2


def _newest_revision_views() -> dict[str, str]:
    """The views as the newest revision that creates them left them."""
    versions = Path(__file__).parent.parent / "migrations" / "versions"
    for path in sorted(glob.glob(str(versions / "[0-9]*.py")), reverse=True):
        spec = importlib.util.spec_from_file_location("revision", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if hasattr(module, "VIEWS"):
            return module.VIEWS
    raise AssertionError("no revision creates the views")


def test_newest_migration_holds_the_rule_as_defined_in_rule_py():
    """Changing the rule needs a revision that replaces the views."""
    frozen = _newest_revision_views()
    squash = lambda sql: re.sub(r"\s+", " ", sql).strip()  # noqa: E731
    assert list(frozen) == list(rule.VIEWS)
    for name in rule.VIEWS:
        assert squash(frozen[name]) == squash(rule.view_sql(name)), name


def _said(story, claim, who, kind, at, tz=None):
    return record.add_stance(story.session, claim, story.party(who), kind,
                             said=parse_when(at, tz), editor=ED)  # fmt: skip


def test_contested_since_is_the_stance_that_began_the_contested_period(story):
    """A minute-precision assertion at 01:35 and a date-only denial the same day: the
    claim counts as contested once the denial's day is over (as of any time before,
    the denial may not have been said yet), so contested since is the denial, with
    its day precision and offset, as the history says: in the stored state, the stored
    history (--as-of) and the per-claim detail."""
    c = story.claim("Hamas called the strike an Israeli one")
    _said(story, c, "Daniel Hagari", "asserts", "2023-10-18T01:35+03:00")
    _said(story, c, "Hamas", "denies", "2023-10-18", "+03:00")
    story.session.flush()
    [row] = report.claims(story.session, Selection(status="contested"), history=True)
    assert str(row.contested_since) == "2023-10-18 (+03:00)"
    assert row.contested_since == row.periods[-1].since
    assert row.periods[-1].began_by == "Hamas denies"
    looking_back = Selection(status="contested", as_of=parse_when("2023-10-19", "+03:00").until)
    [back] = report.claims(story.session, looking_back, history=True)
    assert str(back.contested_since) == "2023-10-18 (+03:00)" == str(back.periods[-1].since)
    detail = report.claim_detail(story.session, c)
    assert str(detail.row.contested_since) == "2023-10-18 (+03:00)"
    # The other way round, the date-only assertion began it: the minute denial came
    # within its day, while it may still have been to come.
    d = story.claim("The rocket was fired from Gaza")
    _said(story, d, "IDF", "asserts", "2023-10-17", "+03:00")
    _said(story, d, "Hamas", "denies", "2023-10-17T21:00+03:00")
    story.session.flush()
    rows = {r.claim_id: r for r in report.claims(story.session, Selection(), history=True)}
    assert str(rows[d.id].contested_since) == "2023-10-17 (+03:00)"
    assert rows[d.id].contested_since == rows[d.id].periods[-1].since


def test_contested_since_of_minutes_is_unchanged(story):
    """Minute-precision stances: the later of the earliest for and the earliest against,
    as before; a later supporter, or a date-only one of the next day, does not move it."""
    c = story.claim("The hospital was hit at 18:59")
    _said(story, c, "Health Ministry", "asserts", "2023-10-17T19:20+03:00")
    _said(story, c, "IDF", "disputes", "2023-10-18T01:35+03:00")
    _said(story, c, "Hamas", "confirms", "2023-10-18", "+03:00")
    story.session.flush()
    [row] = report.claims(story.session, Selection(status="contested"), history=True)
    assert str(row.contested_since) == "2023-10-18 01:35+03:00"
    assert row.contested_since == row.periods[-1].since


def _ids(session, **criteria):
    session.flush()
    return {r.claim_id for r in report.claims(session, Selection(**criteria))}


def test_since_counts_an_activity_whose_day_overlaps_it(story):
    """--since keeps a claim whose activity was said over an interval that reaches
    past WHEN: a date-only stance of 12 April (+03:30) is activity on that day, whatever
    hour --since names within it; a minute-precision stance before WHEN is not."""
    day = story.claim("Talks resume on Monday")
    _said(story, day, "Tasnim", "asserts", "2026-04-12", "+03:30")
    minute = story.claim("The delegation left at 23:00")
    _said(story, minute, "Xinhua", "asserts", "2026-04-11T23:59+00:00")
    at = lambda text, tz=None: parse_when(text, tz).at  # noqa: E731
    assert _ids(story.session, since=at("2026-04-12")) == {day.id}
    assert _ids(story.session, since=at("2026-04-12T20:29+00:00")) == {day.id}
    assert _ids(story.session, since=at("2026-04-12T20:30+00:00")) == set()  # its day is over
    assert _ids(story.session, since=at("2026-04-11T23:59+00:00")) == {day.id, minute.id}
    # Bounded above too: --until a date is its end; the day's activity overlaps both.
    assert _ids(story.session, since=at("2026-04-12"), until=parse_when("2026-04-12").until) == {
        day.id
    }
    # --until keeps a claim whose last activity began before its end: Tehran's 12 April
    # began at 20:30 UTC on the 11th.
    assert _ids(story.session, until=parse_when("2026-04-11T23:00+00:00").until) == {day.id}
    assert _ids(story.session, until=parse_when("2026-04-11").until) == {day.id, minute.id}
    assert _ids(story.session, until=parse_when("2026-04-11", "+03:30").until) == set()
    # With --as-of, only what had been said by then is activity.
    as_of = parse_when("2026-04-12T12:00+03:30").until
    assert _ids(story.session, since=at("2026-04-11"), as_of=as_of) == {minute.id}
    assert _ids(story.session, since=at("2026-04-11"), as_of=parse_when("2026-04-13").until) == {
        day.id, minute.id,
    }  # fmt: skip


def test_since_counts_a_counter_claims_days_as_last_activity_does(story):
    """A claim's activity includes the latest stance for a claim that contradicts it
    (docs/model.md), so --since does too; a denial of the counter-claim, or a support
    its party later withdrew, is not this claim's activity."""
    claim = story.claim("Two destroyers crossed the strait")
    counter = story.claim("The destroyers were turned back")
    _said(story, claim, "CENTCOM", "asserts", "2026-04-10T18:00+00:00")
    _said(story, counter, "IRGC navy", "asserts", "2026-04-10T19:00+00:00")
    record.link_claims(story.session, counter, claim, "contradicts", editor=ED)
    since = parse_when("2026-04-12").at
    _said(story, counter, "Pentagon", "denies", "2026-04-12", "+03:30")
    assert _ids(story.session, since=since) == {counter.id}
    _said(story, counter, "Tasnim", "confirms", "2026-04-12", "+03:30")
    assert _ids(story.session, since=since) == {claim.id, counter.id}
    _said(story, counter, "Tasnim", "retracts", "2026-04-13T08:00+03:30")
    assert _ids(story.session, since=since) == {counter.id}
    assert _ids(story.session, since=since, as_of=parse_when("2026-04-12", "+03:30").until) == {
        claim.id, counter.id,
    }  # fmt: skip
    # As the desk knew it before the link was made, the counter-claim was no activity.
    story.session.commit()
    assert _ids(story.session, since=since, known_at=parse_when("2026-04-12").until) == set()
