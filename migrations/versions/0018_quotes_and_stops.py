"""Typographic quotes are one name, and a claim's final full stops are no part of it.

``claimtrack.names.normalise`` now folds the curly, low and reversed single quotes, the
modifier letter apostrophe and the prime (‘ ’ ‚ ‛ ʼ ′) to ``'`` and the curly, low and
reversed double quotes and the double prime (“ ” „ ‟ ″) to ``"``; and a claim's
``text_key`` is now the digest of its key less the final full stops (``.``, ``。``, ``۔``,
an ellipsis, and the spaces before them: ``record.normalised_text_key``), so "Israel’s
army said it was not involved" and "Israel's army said it was not involved." are one
claim. The stored keys are recomputed as 0017 recomputed them: the one namespace of
names (``party_name.key``), ``party.name_norm``, ``party_alias.alias_norm``, and claim
texts' keys, digests and near-duplicate sketches (``claim.text_norm``, ``text_key``,
``claim_sketch``); ``text_norm`` changes only for a text with typographic quotes, but
``text_key`` for nearly every claim (most end with a full stop). Claims are streamed in
batches of ``BATCH`` and only the changed rows written, by executemany.

Two parties that now answer to one key are reported as 0017 reports them ("name
clash"), and nothing merged. Two claims of one topic that now have one ``text_key``
(and did not before) are both kept too: each such pair is printed once and written to
the log ("claim clash", editor "db upgrade") with the command that merges the later into
the earlier (``claimtrack claim merge LATER EARLIER``). Until then ``claim add`` of that
text names the earlier, and so does ``import csv``.

The foldings are frozen here (``_fold`` for the upgrade, ``_before``, 0017's, for the
downgrade), not imported: the live ``normalise`` may change again.

Revision ID: 0018_quotes_and_stops
Revises: 0017_arabic_forms
Create Date: 2026-11-28 05:30:00
"""

import datetime as dt
import functools
import hashlib
import itertools
import sys
import unicodedata
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_quotes_and_stops"
down_revision: str | None = "0017_arabic_forms"
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
                 sa.column("text_norm"), sa.column("text_key"),
                 sa.column("merged_into_id"))  # fmt: skip
sketch = sa.table("claim_sketch", sa.column("topic_key"), sa.column("gram"),
                  sa.column("claim_id"))  # fmt: skip
event = sa.table("event", sa.column("at"), sa.column("editor"), sa.column("action"),
                 sa.column("detail"))  # fmt: skip


def upgrade() -> None:
    connection = op.get_bind()
    kept = _rekey_namespace(connection, _fold)
    _rekey_parties(connection, _fold, kept, was=_before)
    _rekey_claims(connection, _fold, _digest)
    _report_claims(connection)


def downgrade() -> None:
    _rekey_back(op.get_bind(), _before, _digest_before)


def _rekey_back(connection, before: Callable[[str], str], digest: Callable[[str], str]) -> None:
    """Every key made again by the folding ``before`` and text digest ``digest`` of the
    revision below (0020's downgrade uses it too)."""
    # The finer folding only splits keys: rebuild the namespace from the names, first
    # holder (lowest party id, names before aliases) first, as 0006 and 0017 did.
    _rekey_parties(connection, before, set())
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
    _rekey_claims(connection, before, digest)


def _rekey_namespace(
    connection,
    fold: Callable[[str], str],
    before: Callable[[str], str] | None = None,
    why: str = "typographic quotes are one name",
) -> set[tuple[int, str]]:
    """Each ``party_name`` key made anew from the name or alias of its party that it is
    the ``before`` key of (0017's folding; 0020 passes 0018's); returns the (party, old
    key) pairs left as they were because another party holds the new key (the clashes,
    reported). Made from the name, not by folding the key again as 0017 did: 0017's key
    of "5″" is "5′′", whose folding ("5''") is not the name's ('5"'). A key that is no
    name's (one that 0017 kept in a clash, reported then) stays as it is."""
    before = before or _before
    rows = connection.execute(
        sa.select(names.c.id, names.c.party_id, names.c.key).order_by(names.c.party_id, names.c.id)
    ).all()
    spelled = {}
    for row in connection.execute(sa.select(alias.c.party_id, alias.c.alias)):
        spelled.setdefault((row.party_id, before(row.alias)), row.alias)
    for row in connection.execute(sa.select(party.c.id, party.c.name)):
        spelled[(row.id, before(row.name))] = row.name
    new = {}
    for row in rows:
        name = spelled.get((row.party_id, row.key))
        new[row.id] = row.key if name is None else fold(name)
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
        _report_names(connection, clashes, fold, why)
    return kept


def _rekey_parties(
    connection,
    fold: Callable[[str], str],
    kept: set[tuple[int, str]],
    was: Callable[[str], str] | None = None,
) -> None:
    """``party.name_norm`` and ``party_alias.alias_norm`` folded anew, but for the keys
    ``kept`` (a clash), an alias whose new key another alias of its party has, and,
    given ``was`` (the folding before), a key that is not ``was`` of its name: 0017 kept
    it in a clash, and reported it."""
    changed = []
    for row in connection.execute(sa.select(party.c.id, party.c.name, party.c.name_norm)):
        key = fold(row.name)
        if was is not None and was(row.name) != row.name_norm:
            continue
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
        if was is not None and was(a.alias) != a.alias_norm:
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


def _rekey_claims(connection, fold: Callable[[str], str], digest: Callable[[str], str]) -> None:
    """Claim texts' keys, digests and sketches, streamed; only the changed ones written:
    a text whose key changes gets its digest and sketch anew, one whose digest alone
    changes (a final full stop) only its digest."""
    from claimtrack.similar import sketch_rows

    set_both = (
        claim.update()
        .where(claim.c.id == sa.bindparam("cid"))
        .values(text_norm=sa.bindparam("norm"), text_key=sa.bindparam("digest"))
    )
    set_digest = (
        claim.update().where(claim.c.id == sa.bindparam("cid"))
        .values(text_key=sa.bindparam("digest"))
    )  # fmt: skip
    last = 0
    while True:
        part = connection.execute(
            sa.select(claim.c.id, claim.c.topic, claim.c.text, claim.c.text_norm,
                      claim.c.text_key)
            .where(claim.c.id > last)
            .order_by(claim.c.id)
            .limit(BATCH)
        ).all()  # fmt: skip
        if not part:
            break
        changed, digests, gone, grams = [], [], [], []
        for c in part:
            key = fold(c.text)
            new = digest(key)
            if key != c.text_norm:
                changed.append({"cid": c.id, "norm": key, "digest": new})
                # The old sketch by its whole primary key: claim_sketch has no index on
                # claim_id alone, and a scan per batch would read every sketch each time.
                gone += sketch_rows(c.id, c.topic, c.text_norm)
                grams += sketch_rows(c.id, c.topic, key)
            elif new != c.text_key:
                digests.append({"cid": c.id, "digest": new})
        if digests:
            connection.execute(set_digest, digests)
        if changed:
            connection.execute(set_both, changed)
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


def _report_claims(
    connection,
    before: Callable[[str], str] | None = None,
    why: str = "typographic quotes and final full stops are one text",
) -> None:
    """Each claim that now has the digest of an earlier claim of its topic, and did not
    before (a claim added twice with --force is no news), once: on stderr and in the
    log, with the command that merges it into the earliest. Claims merged already are
    left out. The groups are found by ``ix_claim_topic_text_key``; only their claims
    are read. ``before`` gives a text's key below this revision, of which the old
    digest was made (0017's folding; 0020 passes 0018's digest of 0018's folding)."""
    before = before or _before
    twice = (
        sa.select(claim.c.topic, claim.c.text_key)
        .group_by(claim.c.topic, claim.c.text_key)
        .having(sa.func.count() > 1)
        .subquery()
    )
    rows = connection.execute(
        sa.select(claim.c.id, claim.c.topic, claim.c.text_key, claim.c.text)
        .join(twice, sa.and_(claim.c.topic == twice.c.topic, claim.c.text_key == twice.c.text_key))
        .where(claim.c.merged_into_id.is_(None))
        .order_by(claim.c.topic, claim.c.text_key, claim.c.id)
    ).all()
    pairs = []
    for _, group in itertools.groupby(rows, key=lambda r: (r.topic, r.text_key)):
        first, *others = group
        for other in others:
            if before(other.text) != before(first.text):
                pairs.append((other, first))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for later, earlier in sorted(pairs, key=lambda pair: pair[0].id):
        detail = (
            f"claim #{later.id} {_short(later.text)!r} now reads as claim #{earlier.id} "
            f"{_short(earlier.text)!r} in topic {later.topic!r} ({why}); both are kept: "
            f"if they are one claim, run: "
            f"claimtrack claim merge {later.id} {earlier.id}"
        )
        sys.stderr.write(f"Claim clash: {detail}\n")
        connection.execute(
            event.insert().values(at=now, editor="db upgrade", action="claim clash", detail=detail)
        )


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _report_names(connection, clashes, fold, why: str) -> None:
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
            f"party #{holder} {shown[holder]!r} ({why}); "
            f"#{party_id} is found by its id: if they are one party, run: "
            f"claimtrack party merge {party_id} {holder}"
        )
        sys.stderr.write(f"Name clash: {detail}\n")
        connection.execute(
            event.insert().values(at=now, editor="db upgrade", action="name clash", detail=detail)
        )


# -- the foldings, frozen: this revision's (claimtrack.names.normalise and
# record.normalised_text_key as it brought them in) and 0017's, for the downgrade

_QUOTES = {**dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u2032", "'"),
           **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"')}  # fmt: skip
_FINAL_STOPS = frozenset(".\u3002\u06d4")


@functools.cache
def _tables(quotes: bool):
    import regex

    letters = {"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0629": "\u0647",
               "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
               "\u0640": None, "\u2800": None}  # fmt: skip
    return (
        regex.compile(r"\p{Default_Ignorable_Code_Point}"),
        regex.compile(r"\s+"),
        regex.compile(r"(?V1)[\p{Script_Extensions=Arabic}&&\p{Mn}]"),
        str.maketrans({**letters, **_QUOTES} if quotes else letters),
        str.maketrans(_QUOTES if quotes else {}),
    )


def _folding(text: str, quotes: bool) -> str:
    if text.isascii() and text.isprintable():
        return " ".join(text.lower().split())
    ignorable, space, marks, letters, first = _tables(quotes)
    key = unicodedata.normalize("NFKC", ignorable.sub("", text).translate(first))
    key = unicodedata.normalize("NFKC", key.casefold())
    key = marks.sub("", ignorable.sub("", key).translate(letters))
    return space.sub(" ", key).strip()


def _fold(text: str) -> str:
    """This revision's ``normalise``: 0017's, and typographic quotes folded."""
    return _folding(text, True)


def _before(text: str) -> str:
    """0017's ``normalise``."""
    return _folding(text, False)


def _digest(key: str) -> str:
    """This revision's ``text_key`` of a key: its final full stops, and the spaces
    before them, aside."""
    end = len(key)
    while end and (key[end - 1] in _FINAL_STOPS or key[end - 1].isspace()):
        end -= 1
    if end:
        key = key[:end]
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _digest_before(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
