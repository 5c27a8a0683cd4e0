"""Loading a dataset of parties, sources, claims, stances and links, idempotently.

A dataset is plain data (dicts and lists) so that every file format goes through the
same loader: the seed files in ``seeds/`` are TOML documents of this shape, described
in ``docs/seed-format.md``. Loading twice adds nothing the second time: parties match by
name, sources by outlet and title, claims by slug (or topic and text), stances by claim,
party, kind, time, source and quote.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimtrack import record
from claimtrack.errors import ClaimtrackError
from claimtrack.models import Claim, Party, Source
from claimtrack.times import parse_when

BUNDLED_SEED = "islamabad-2026.toml"


@dataclass
class LoadReport:
    """What a load added; what it found already there is not counted."""

    added: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        parts = [f"{n} {what}" for what, n in self.added.items() if n]
        return ", ".join(parts) if parts else "nothing new"


def bundled_seed_path() -> Path:
    from importlib.resources import files

    return Path(str(files("claimtrack.seeds") / BUNDLED_SEED))


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ClaimtrackError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise ClaimtrackError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ClaimtrackError(f"{path} is not valid TOML: {exc}") from None


class _Loader:
    def __init__(self, session: Session, data: dict[str, Any], editor: str) -> None:
        self.session = session
        self.data = data
        self.editor = editor
        self.topic = data.get("topic", record.DEFAULT_TOPIC)
        self.tz = data.get("tz")
        self.sources: dict[str, Source] = {}
        self.claims: dict[str, Claim] = {}  # by slug
        self.loaded_claims: list[Claim] = []  # in file order
        self.report = LoadReport()

    def where(self, section: str, index: int, item: dict) -> str:
        name = item.get("slug") or item.get("name") or item.get("key") or item.get("title")
        return f"{section} {index + 1}" + (f" ({name})" if name else "")

    def run(self) -> LoadReport:
        for section, step in (
            ("parties", self.party),
            ("sources", self.source),
            ("claims", self.claim),
        ):
            for index, item in enumerate(self.data.get(section, [])):
                try:
                    step(item)
                except ClaimtrackError as exc:
                    raise ClaimtrackError(f"{self.where(section, index, item)}: {exc}") from None
                except KeyError as exc:
                    raise ClaimtrackError(
                        f"{self.where(section, index, item)}: missing field {exc.args[0]!r}"
                    ) from None
        for index, (item, claim) in enumerate(
            zip(self.data.get("claims", []), self.loaded_claims, strict=True)
        ):
            try:
                self.links(item, claim)
            except ClaimtrackError as exc:
                raise ClaimtrackError(f"{self.where('claims', index, item)}: {exc}") from None
        return self.report

    def party(self, item: dict) -> None:
        kind = item.get("kind", "person")
        party = record.find_named_party(self.session, item["name"], anonymous=kind == "anonymous")
        if party is None:
            party = record.add_party(self.session, item["name"], kind=kind, editor=self.editor)
            self.report.added["parties"] += 1
        for alias in item.get("aliases", []):
            if record.add_alias(self.session, party, alias) is not None:
                self.report.added["aliases"] += 1
        if "for" in item:
            acts_for = record.find_party(self.session, item["for"])
            if party.acts_for_id != acts_for.id:
                party.acts_for = acts_for
        self.session.flush()

    def when(self, item: dict, key: str):
        return parse_when(str(item[key]), item.get("tz", self.tz))

    def source(self, item: dict) -> None:
        outlet = record.find_party(self.session, item["outlet"])
        published = self.when(item, "published") if "published" in item else None
        source, created = record.get_or_add_source(
            self.session,
            item["title"],
            outlet=outlet,
            url=item.get("url"),
            language=item.get("lang"),
            published=published,
        )
        self.report.added["sources"] += created
        self.sources[item.get("key", item["title"])] = source

    def find_source(self, ref: str) -> Source:
        return self.sources.get(ref) or record.find_source(self.session, ref)

    def claim(self, item: dict) -> None:
        topic = item.get("topic", self.topic)
        claim = None
        if item.get("slug"):
            claim = self.session.scalars(select(Claim).where(Claim.slug == item["slug"])).first()
        if claim is None:
            claim = record.find_same_claim(self.session, item["text"], topic)
        if claim is None:
            claim = record.add_claim(
                self.session,
                item["text"],
                topic=topic,
                language=item.get("lang"),
                slug=item.get("slug"),
                editor=self.editor,
            )
            self.report.added["claims"] += 1
        self.loaded_claims.append(claim)
        if claim.slug:
            self.claims[claim.slug] = claim
        for number, stance in enumerate(item.get("stances", []), start=1):
            try:
                self.stance(claim, stance)
            except KeyError as exc:
                raise ClaimtrackError(f"stance {number}: missing field {exc.args[0]!r}") from None
            except ClaimtrackError as exc:
                raise ClaimtrackError(f"stance {number}: {exc}") from None

    def stance(self, claim: Claim, item: dict) -> None:
        party = record.find_party(self.session, item["by"])
        via: Party | None = record.find_party(self.session, item["via"]) if "via" in item else None
        source = self.find_source(item["source"]) if "source" in item else None
        said = self.when(item, "at")
        kind = item["kind"]
        quote = item.get("quote")
        if record.find_same_stance(
            self.session, claim, party, kind, said, source=source, quote=quote
        ):
            return
        record.add_stance(
            self.session,
            claim,
            party,
            kind,
            said=said,
            quote=quote,
            quote_lang=item.get("quote_lang"),
            via=via,
            source=source,
            editor=self.editor,
        )
        self.report.added["stances"] += 1

    def links(self, item: dict, claim: Claim) -> None:
        for kind in ("contradicts", "same_as"):
            for ref in item.get(kind, []):
                other = self.claims.get(ref) or record.find_claim(self.session, ref)
                if record.find_link(self.session, claim, other, kind) is None:
                    record.link_claims(self.session, claim, other, kind, editor=self.editor)
                    self.report.added["links"] += 1


def load_dataset(session: Session, data: dict[str, Any], *, editor: str, label: str) -> LoadReport:
    """Load a dataset into the session's transaction and log it; the caller commits."""
    report = _Loader(session, data, editor).run()
    record.log_event(session, editor, "import", f"{label}: {report.summary()}")
    return report
