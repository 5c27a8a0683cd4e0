"""Generate a synthetic but realistic claims database for benchmarks.

    python bench/generate.py --claims 100000 --db bench-100k.db
    python bench/generate.py --claims 100000 --db postgresql+psycopg://localhost/bench

Parties: 20 governments (the sides), 2,000 people and 300 anonymous sources acting for
them, 200 outlets; every person has an alias. Claims fall in 200 topics; each is
asserted by someone, most are confirmed by their own side, about one in ten is denied
or disputed by the other side or answered by a counter-claim, a few are retracted, and
questions and comments fill up to about three stances a claim. The claim_state table
is then computed by the rule (``db rebuild-status``). Rows go in batches, not one ORM
object at a time: with executemany on SQLite, with COPY on PostgreSQL (executemany
there is several times slower). Every row, ids included, is the same on both backends
for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

# The checkout's claimtrack, whether or how the package is installed (with a
# non-editable install, claimtrack.bundled finds the checkout's own migrations/).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimtrack import db, insert_many, schema, state  # noqa: E402
from claimtrack.models import (  # noqa: E402
    Claim,
    ClaimLink,
    Party,
    PartyAlias,
    PartyName,
    Source,
    Stance,
)
from claimtrack.record import text_key, title_key  # noqa: E402
from claimtrack.similar import sketch_rows  # noqa: E402
from claimtrack.vocabulary import OPPOSE, REMARKS  # noqa: E402

BATCH = 20_000
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
EDITOR = "bench"


def _parties(rng: random.Random):
    rows, aliases = [], []
    governments = list(range(1, 21))
    for n in governments:
        rows.append(
            dict(
                id=n,
                name=f"Government {n}",
                name_norm=f"government {n}",
                kind="government",
                anonymous=False,
                acts_for_id=None,
            )
        )
    next_id = 21
    people, anonymous, media = [], [], []
    for kind, count, bucket in (
        ("person", 2000, people),
        ("anonymous", 300, anonymous),
        ("media", 200, media),
    ):
        for n in range(count):
            name = {
                "person": f"Person {n}",
                "anonymous": f"unnamed official {n}",
                "media": f"Outlet {n}",
            }[kind]
            rows.append(
                dict(
                    id=next_id,
                    name=name,
                    name_norm=name.lower(),
                    kind=kind,
                    anonymous=kind == "anonymous",
                    acts_for_id=rng.choice(governments) if kind != "media" else None,
                )
            )
            if kind == "person":
                aliases.append(
                    dict(
                        id=len(aliases) + 1,
                        party_id=next_id,
                        alias=f"人物{n}",
                        alias_norm=f"人物{n}",
                    )
                )
            bucket.append(next_id)
            next_id += 1
    side = {r["id"]: r["acts_for_id"] or r["id"] for r in rows}
    return rows, aliases, people + anonymous, media, side


def generate(
    url: str,
    claims: int,
    *,
    seed: int = 2026,
    progress=print,
    now: dt.datetime | None = None,
    timings: dict | None = None,
) -> dict:
    """Create the database at ``url`` (which must not hold claims yet); return counts.

    ``now`` is the instant recorded as every row's creation (default: the clock), so two
    runs with the same seed and ``now`` write the same rows. ``timings``, if given, gets
    the seconds each phase took.
    """
    rng = random.Random(seed)
    started = time.perf_counter()
    engine = db.open_database(db.resolve_url(url), create=True, create_schema=True)
    counts = {"claims": 0, "stances": 0, "links": 0}
    now = now or dt.datetime.now(dt.UTC)
    timings = {} if timings is None else timings
    with db.write_session(engine) as session:
        session.info[state.DEFERRED] = True
        write = _writer(session)
        parties, aliases, speakers, media, side = _parties(rng)
        for row in parties:
            row["created_at"] = now
        write(Party, parties)
        write(PartyAlias, aliases)
        names = [dict(party_id=r["id"], key=r["name_norm"]) for r in parties]
        names += [dict(party_id=a["party_id"], key=a["alias_norm"]) for a in aliases]
        for number, row in enumerate(names, start=1):
            row["id"] = number
        write(PartyName, names)
        sources = [
            dict(
                id=n + 1,
                outlet_id=rng.choice(media),
                title=f"Report {n}",
                title_key=title_key(f"Report {n}"),
                url=f"https://example.org/report/{n}",
                language="en",
                created_at=now,
            )
            for n in range(max(1, claims // 10))
        ]
        for start in range(0, len(sources), BATCH):
            write(Source, sources[start : start + BATCH])
        by_side: dict[int, list[int]] = {}
        for p in speakers:
            by_side.setdefault(side[p], []).append(p)
        other_sides = {
            s: [p for t, ps in by_side.items() if t != s for p in ps[:50]] for s in by_side
        }
        for start in range(0, claims, BATCH):
            claim_rows, stance_rows, link_rows = [], [], []
            for n in range(start, min(claims, start + BATCH)):
                cid = n + 1
                text = f"Synthetic claim {n}: figure {rng.randint(1, 10**6)} in region {n % 97}"
                claim_rows.append(
                    dict(
                        id=cid,
                        topic=f"topic-{n % 200}",
                        text=text,
                        text_norm=text.lower(),
                        text_key=text_key(text),
                        language="en",
                        created_at=now,
                        created_by=EDITOR,
                    )
                )
                said = START + dt.timedelta(minutes=n)
                author = rng.choice(speakers)

                def stance(party, kind, minutes, _cid=cid, _said=said, _rows=stance_rows):
                    _rows.append(dict(
                        claim_id=_cid, party_id=party, kind=kind, quote=None, via_id=None,
                        source_id=rng.randint(1, len(sources)),
                        said_at=_said + dt.timedelta(minutes=minutes), said_offset=0,
                        said_precision="minute",
                        said_until=_said + dt.timedelta(minutes=minutes + 1),
                        recorded_at=now, recorded_by=EDITOR,
                    ))  # fmt: skip

                stance(author, "asserts", 0)
                roll = rng.random()
                if roll < 0.07:
                    stance(
                        rng.choice(other_sides[side[author]]),
                        rng.choice(OPPOSE),
                        30,
                    )
                elif roll < 0.10 and n > 0:
                    # The previous claim answers this one.
                    link_rows.append(
                        dict(
                            from_claim_id=cid - 1 if cid > 1 else cid + 1,
                            to_claim_id=cid,
                            kind="contradicts",
                            created_at=now,
                            created_by=EDITOR,
                        )
                    )
                elif roll < 0.13:
                    stance(author, "retracts", 60)
                if rng.random() < 0.6:
                    stance(rng.choice(by_side[side[author]]), "confirms", 90)
                stance(rng.choice(speakers), rng.choice(REMARKS), 120)
            write(Claim, claim_rows)
            write(schema.claim_sketch, [
                row for c in claim_rows
                for row in sketch_rows(c["id"], c["topic"], c["text_norm"])
            ])  # fmt: skip
            for number, row in enumerate(stance_rows, start=counts["stances"] + 1):
                row["id"] = number
            write(Stance, stance_rows)
            links = [r for r in link_rows if r["from_claim_id"] <= min(claims, start + BATCH)]
            for number, row in enumerate(links, start=counts["links"] + 1):
                row["id"] = number
            if links:
                write(ClaimLink, links)
            counts["claims"] += len(claim_rows)
            counts["stances"] += len(stance_rows)
            counts["links"] += len(links)
            if progress:
                progress(f"  {counts['claims']:,} claims, {counts['stances']:,} stances")
        _fix_sequences(session)
        timings["rows"] = round(time.perf_counter() - started, 1)
        state.rebuild(session, timings=timings)
        mark = time.perf_counter()
        session.commit()
        timings["commit"] = round(time.perf_counter() - mark, 1)
    # Fresh statistics, as a database that has lived a while would have.
    mark = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    timings["analyze"] = round(time.perf_counter() - mark, 1)
    engine.dispose()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _writer(session):
    """write(model, rows): rows into the model's table in the session's transaction, with
    COPY on PostgreSQL and executemany elsewhere (``claimtrack.insert_many``). The session's bulk
    listeners do not see them: the generator re-rates every claim at its end."""

    def write(model, rows: list[dict]) -> None:  # a mapped class, or a table
        table = getattr(model, "__table__", model)
        insert_many.insert_rows(session.connection(), table, rows)

    return write


def _fix_sequences(session) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the data."""
    if session.bind.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for name in ("party", "party_alias", "party_name", "source", "claim", "stance", "claim_link"):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--db", required=True, help="a new SQLite path or an empty database URL")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    timings: dict = {}
    counts = generate(args.db, args.claims, seed=args.seed, timings=timings)
    print(counts)
    print("seconds by phase:", timings)
