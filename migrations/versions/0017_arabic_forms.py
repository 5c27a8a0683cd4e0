"""Arabic spelling variants are one name: matching keys recomputed.

``claimtrack.names.normalise`` now folds teh marbuta to heh (غزة = غزه), the alefs with
hamza, madda or wasla to the bare alef (الإسلامي = الاسلامي), and drops the Arabic
script's combining marks (مُحَمَّد = محمد). The keys stored under the old folding are
recomputed: the one namespace of names (``party_name.key``), ``party.name_norm``,
``party_alias.alias_norm``, and claim texts' keys, digests and near-duplicate sketches
(``claim.text_norm``, ``text_key``, ``claim_sketch``; SQLite's search table follows
``text_norm`` by its trigger, PostgreSQL's index by its expression).

Two parties may now answer to one key (party #5 named "الجزيره", #9 with the alias
"الجزيرة"). Nothing is merged and the upgrade does not stop (a database behind head
opens in no command, ``party merge`` included): the party that already held the key
under the old folding keeps it (its spelling was unchanged), else the lowest party id;
the other keeps its old key, so it is still found by its id, and its name and aliases
stay as given. Each such clash is printed and written to the log ("name clash", editor
"db upgrade"), naming both parties by id with the command that merges them. Two
aliases of one party that now read alike (أبو عبيدة, ابو عبيده) stay two aliases; the
later keeps its old ``alias_norm`` (the party answers to the key through the other).

The downgrade recomputes every key with 0016's folding (``_before``, frozen here).

Revision ID: 0017_arabic_forms
Revises: 0016_first
Create Date: 2026-11-28 03:40:00
"""

import datetime as dt
import hashlib
import sys
import unicodedata
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_arabic_forms"
down_revision: str | None = "0016_first"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows are only updated, deleted from party_name, and added to claim_sketch for claims
# that exist: the only tables a key check (claimtrack.db._migrating) need look at.
SQLITE_KEYS_TO_CHECK = ("party_name", "claim_sketch")

BATCH = 5000

party = sa.table("party", sa.column("id"), sa.column("name"), sa.column("name_norm"))
alias = sa.table("party_alias", sa.column("id"), sa.column("party_id"), sa.column("alias"),
                 sa.column("alias_norm"))  # fmt: skip
names = sa.table("party_name", sa.column("id"), sa.column("party_id"), sa.column("key"))
claim = sa.table("claim", sa.column("id"), sa.column("topic"), sa.column("text"),
                 sa.column("text_norm"), sa.column("text_key"))  # fmt: skip
sketch = sa.table("claim_sketch", sa.column("topic_key"), sa.column("gram"),
                  sa.column("claim_id"))  # fmt: skip
event = sa.table("event", sa.column("at"), sa.column("editor"), sa.column("action"),
                 sa.column("detail"))  # fmt: skip


def upgrade() -> None:
    from claimtrack.names import normalise

    connection = op.get_bind()
    kept = _rekey_namespace(connection, normalise)
    _rekey_parties(connection, normalise, kept)
    _rekey_claims(connection, normalise)


def downgrade() -> None:
    connection = op.get_bind()
    # The finer folding only splits keys: rebuild the namespace from the names, first
    # holder (lowest party id, names before aliases) first, as 0006 did.
    _rekey_parties(connection, _before, set())
    connection.execute(names.delete())
    rows, held = [], set()
    entries = connection.execute(
        sa.select(party.c.id, party.c.name_norm, sa.literal(0).label("o"), party.c.id.label("n"))
        .union_all(sa.select(alias.c.party_id, alias.c.alias_norm, sa.literal(1), alias.c.id))
        .order_by("id", "o", "n")
    ).all()
    for party_id, key, _, _ in entries:
        if key not in held:
            held.add(key)
            rows.append({"party_id": party_id, "key": key})
    for start in range(0, len(rows), BATCH):
        connection.execute(names.insert(), rows[start : start + BATCH])
    _rekey_claims(connection, _before)


def _rekey_namespace(connection, fold: Callable[[str], str]) -> set[tuple[int, str]]:
    """Each ``party_name`` key folded anew; returns the (party, old key) pairs left as
    they were because another party holds the new key (the clashes, reported)."""
    rows = connection.execute(
        sa.select(names.c.id, names.c.party_id, names.c.key).order_by(names.c.party_id, names.c.id)
    ).all()
    new = {row.id: fold(row.key) for row in rows}
    # Keys that do not change first: their holders answered to them already.
    held = {row.key: row.party_id for row in rows if new[row.id] == row.key}
    own = {(row.party_id, row.key) for row in rows if new[row.id] == row.key}
    kept, clashes, moves, dropped = set(), [], [], []
    for row in rows:
        key = new[row.id]
        if key == row.key:
            continue
        holder = held.setdefault(key, row.party_id)
        if holder != row.party_id:
            kept.add((row.party_id, row.key))
            clashes.append((row.party_id, row.key, holder, key))
        elif (row.party_id, key) in own:
            dropped.append(row.id)  # the party holds this key already: one row is enough
        else:
            own.add((row.party_id, key))
            moves.append({"rid": row.id, "key": key})
    if dropped:
        connection.execute(names.delete().where(names.c.id.in_(dropped)))
    if moves:
        connection.execute(
            names.update().where(names.c.id == sa.bindparam("rid")).values(key=sa.bindparam("key")),
            moves,
        )
    if clashes:
        _report(connection, clashes, fold)
    return kept


def _rekey_parties(connection, fold: Callable[[str], str], kept: set[tuple[int, str]]) -> None:
    """``party.name_norm`` and ``party_alias.alias_norm`` folded anew, but for the keys
    ``kept`` (a clash), and an alias whose new key another alias of its party has."""
    changed = []
    for row in connection.execute(sa.select(party.c.id, party.c.name, party.c.name_norm)):
        key = fold(row.name)
        if key != row.name_norm and (row.id, row.name_norm) not in kept:
            changed.append({"pid": row.id, "norm": key})
    if changed:
        connection.execute(
            party.update().where(party.c.id == sa.bindparam("pid"))
            .values(name_norm=sa.bindparam("norm")),
            changed,
        )  # fmt: skip
    aliases = connection.execute(
        sa.select(alias.c.id, alias.c.party_id, alias.c.alias, alias.c.alias_norm).order_by(
            alias.c.party_id, alias.c.id
        )
    ).all()
    final = {(a.party_id, a.alias_norm): a.id for a in aliases}  # as they stand
    changed = []
    for a in aliases:
        key = fold(a.alias)
        if key == a.alias_norm or (a.party_id, a.alias_norm) in kept:
            continue
        if (a.party_id, key) in final:  # another alias of the party reads so: keep this one's
            continue
        del final[(a.party_id, a.alias_norm)]
        final[(a.party_id, key)] = a.id
        changed.append({"aid": a.id, "norm": key})
    if changed:
        # Each key at most once per party: a two-step update cannot trip the unique key.
        connection.execute(
            alias.update().where(alias.c.id == sa.bindparam("aid"))
            .values(alias_norm=sa.bindparam("norm")),
            changed,
        )  # fmt: skip


def _rekey_claims(connection, fold: Callable[[str], str]) -> None:
    """Claim texts' keys, digests and sketches, streamed; only the changed ones written."""
    from claimtrack.similar import sketch_rows

    last = 0
    while True:
        part = connection.execute(
            sa.select(claim.c.id, claim.c.topic, claim.c.text, claim.c.text_norm)
            .where(claim.c.id > last)
            .order_by(claim.c.id)
            .limit(BATCH)
        ).all()
        if not part:
            break
        changed, gone, grams = [], [], []
        for c in part:
            key = fold(c.text)
            if key != c.text_norm:
                digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
                changed.append({"cid": c.id, "norm": key, "digest": digest})
                # The old sketch by its whole primary key: claim_sketch has no index on
                # claim_id alone, and a scan per batch would read every sketch each time.
                gone += sketch_rows(c.id, c.topic, c.text_norm)
                grams += sketch_rows(c.id, c.topic, key)
        if changed:
            connection.execute(
                claim.update()
                .where(claim.c.id == sa.bindparam("cid"))
                .values(text_norm=sa.bindparam("norm"), text_key=sa.bindparam("digest")),
                changed,
            )
            connection.execute(
                sketch.delete().where(
                    sketch.c.topic_key == sa.bindparam("t"),
                    sketch.c.gram == sa.bindparam("g"),
                    sketch.c.claim_id == sa.bindparam("c"),
                ),
                [{"t": g["topic_key"], "g": g["gram"], "c": g["claim_id"]} for g in gone],
            )
            for start in range(0, len(grams), BATCH):
                connection.execute(sketch.insert(), grams[start : start + BATCH])
        last = part[-1].id


def _report(connection, clashes, fold) -> None:
    """Each clash on stderr and in the log, with the command that merges the two."""
    shown = dict(connection.execute(sa.select(party.c.id, party.c.name)).all())
    spelled = {}
    for row in connection.execute(sa.select(alias.c.party_id, alias.c.alias)):
        spelled.setdefault((row.party_id, fold(row.alias)), row.alias)
    for pid, name in shown.items():
        spelled[(pid, fold(name))] = name
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for party_id, old, holder, key in clashes:
        mine, theirs = spelled.get((party_id, key), old), spelled.get((holder, key), key)
        detail = (
            f"party #{party_id} {shown[party_id]!r}: {mine!r} now reads as {theirs!r} of "
            f"party #{holder} {shown[holder]!r} (Arabic letter forms are one name); "
            f"#{party_id} is found by its id: if they are one party, run: "
            f"claimtrack party merge {party_id} {holder}"
        )
        sys.stderr.write(f"Name clash: {detail}\n")
        connection.execute(
            event.insert().values(at=now, editor="db upgrade", action="name clash", detail=detail)
        )


# -- 0016's folding (claimtrack.names.normalise before this revision), for the downgrade


def _before(text: str) -> str:
    if text.isascii() and text.isprintable():
        return " ".join(text.lower().split())
    import regex

    ignorable, space = regex.compile(r"\p{Default_Ignorable_Code_Point}"), regex.compile(r"\s+")
    letters = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9",
                             "\u0640": None, "\u2800": None})  # fmt: skip
    key = unicodedata.normalize("NFKC", ignorable.sub("", text))
    key = unicodedata.normalize("NFKC", key.casefold())
    key = ignorable.sub("", key).translate(letters)
    return space.sub(" ", key).strip()
