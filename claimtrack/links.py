"""Which claims contradict which: the links the rule reads, looked up in batches."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator

from sqlalchemy import Integer, String, any_, bindparam, cast, func, select
from sqlalchemy.orm import Session

from claimtrack.schema import claim_link

# At most this many ids are bound in one statement, however many claims a report covers.
BATCH = 500


def chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def any_of(session: Session, ids: list[int]):
    """The ids as a one-column table (``value``) bound as one parameter, however many
    they are: a JSON array read by ``json_each`` on SQLite, an array on PostgreSQL. For
    statements that would otherwise be repeated per ``BATCH`` ids (``column.in_(select(
    any_of(session, ids).c.value))``)."""
    if session.get_bind().dialect.name == "postgresql":
        # Imported here: the PostgreSQL dialect takes 14 ms to import, which every
        # command reading links on SQLite would otherwise pay.
        return func.unnest(_pg_array(ids)).table_valued("value").render_derived(name="ids")
    return func.json_each(bindparam(None, json.dumps(list(ids)))).table_valued(
        "value").alias("ids")  # fmt: skip


def one_of(session: Session, column, ids: list[int]):
    """SQL: ``column`` is one of the ids, bound as one parameter however many they are.
    On PostgreSQL ``column = ANY(array)``: an index probe per id, where ``IN (SELECT
    unnest(...))`` is guessed at 200 rows and hashed against a scan of the whole table;
    on SQLite ``column IN (SELECT value FROM json_each(...))``, probed the same way."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(_pg_array(ids))
    return column.in_(select(any_of(session, ids).c.value))


def ids_value(session: Session, ids: list[int]) -> str:
    """The ids as the value of a parameter that ``named_one_of`` or ``named_any_of``
    binds: the text of a PostgreSQL array, or a JSON array for SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return "{" + ",".join(map(str, map(int, ids))) + "}"
    return json.dumps(list(ids))


def named_any_of(dialect: str, name: str):
    """``any_of`` with the ids the named parameter ``name`` (its value ``ids_value``): the
    same SQL, for a statement built once per process and run with each list of ids."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        ids = cast(bindparam(name, type_=String), ARRAY(Integer))
        return func.unnest(ids).table_valued("value").render_derived(name="ids")
    return func.json_each(bindparam(name, type_=String)).table_valued("value").alias("ids")


def named_one_of(dialect: str, column, name: str):
    """``one_of`` with the ids the named parameter ``name`` (its value ``ids_value``)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(cast(bindparam(name, type_=String), ARRAY(Integer)))
    return column.in_(select(named_any_of(dialect, name).c.value))


def _pg_array(ids: list[int]):
    """The ids as one PostgreSQL integer array, bound as its text ("{1,2,3}") and cast
    by the server: psycopg dumps a Python list element by element (about 0.3 µs an id:
    2 ms for the four lists of a day's 1,560 claims in ``report changes`` at 1M), where
    joining the text takes a fifth of that."""
    from sqlalchemy.dialects.postgresql import ARRAY

    text = "{" + ",".join(map(str, map(int, ids))) + "}"
    return cast(bindparam(None, text, type_=String), ARRAY(Integer))


def _contradiction_links(part: list[int]):
    """The contradiction links touching these claims, as recorded (by link id: every
    backend returns them in the same order, so the graph's edges come out the same)."""
    link = claim_link.c
    return (
        select(link.from_claim_id, link.to_claim_id)
        .where(
            link.kind == "contradicts", link.from_claim_id.in_(part) | link.to_claim_id.in_(part)
        )
        .order_by(link.id)
    )


@functools.cache
def _counter_links(dialect: str):
    """The contradiction links touching the claims in ``:ids`` (``ids_value``), by id:
    built once per process (building it cost each report more than running it)."""
    link = claim_link.c
    # The ids bound once as an array (``one_of``), not 500 times on each side.
    either = named_one_of(dialect, link.from_claim_id, "ids") | named_one_of(
        dialect, link.to_claim_id, "ids"
    )
    query = select(link.from_claim_id, link.to_claim_id).order_by(link.id)
    return query.where(link.kind == "contradicts", either)


def counter_claims_of(
    session: Session, claim_ids: list[int], answers: dict[int, set[int]] | None = None
) -> dict[int, set[int]]:
    """claim id -> the claims linked to it as contradicting it, in either direction.
    ``answers``, when given, is filled with the direction, from the same rows: claim id ->
    the claims it contradicts (those it is the counter-claim of), for every link read,
    so that ``answered`` sees both ends of each."""
    found: dict[int, set[int]] = {}
    query = _counter_links(session.get_bind().dialect.name)
    for part in chunks(sorted(claim_ids)):
        wanted = set(part)
        for a, b in session.execute(query, {"ids": ids_value(session, part)}):
            if a in wanted:
                found.setdefault(a, set()).add(b)
            if b in wanted:
                found.setdefault(b, set()).add(a)
            if answers is not None:
                answers.setdefault(a, set()).add(b)
    return found


def answered(answers: dict[int, set[int]], claim_id: int) -> set[int]:
    """The claims ``claim_id`` answers (it is their counter-claim), from the direction
    ``counter_claims_of`` fills in ``answers``: those it contradicts, less any that
    contradict it too (a link each way, which ``claim link`` refuses, leaves each the
    other's counter-claim, as the rule counts them)."""
    return {c for c in answers.get(claim_id, ()) if claim_id not in answers.get(c, ())}


def with_contradicting(session: Session, claim_ids: set[int]) -> set[int]:
    """The claims and every claim linked to one of them as contradicting it."""
    found = set(claim_ids)
    for others in counter_claims_of(session, list(claim_ids)).values():
        found |= others
    return found


def contradiction_pairs(session: Session, claim_ids: list[int]) -> list[tuple[int, int]]:
    """(counter-claim, the claim it contradicts) for every link touching these claims,
    each link once, as recorded."""
    found: dict[tuple[int, int], None] = {}
    for part in chunks(sorted(claim_ids)):
        rows = session.execute(_contradiction_links(part))
        found.update(dict.fromkeys(tuple(pair) for pair in rows))
    return list(found)
