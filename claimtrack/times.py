"""Times as editors give them: an instant, its original UTC offset, and its precision.

Accepted: ISO 8601 with an offset (``2026-04-12T08:30+05:00``, ``...Z``; to the minute or
to the second; RFC 3339's lower-case ``t`` and ``z`` too), a bare date (``2026-04-12``:
the calendar day, kept with day precision), or ``now``. An hour without its minutes
(``T08+05:00``) is refused, as are ISO 8601's other spellings (week dates, ``20260412``),
rather than read at a precision nobody gave. A date or a
time without an offset, and ``now``, are read in the zone given by ``--tz`` (an offset
like ``+05:00`` or a name like ``Asia/Karachi``); a bare date without ``--tz`` is a UTC
day, and a time of day without an offset and without ``--tz`` is refused rather than
guessed. A time with an offset and a ``--tz`` that is at another offset then are refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from claimtrack.errors import UsageError

FORMS = "use 2026-04-12, 2026-04-12T08:30+05:00 or now"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WITH_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
# The one spelling of a time taken: date, T (t, or a blank), hours and minutes, seconds
# and a fraction if given, and an offset if given (Z, z, +05, +0530, +05:30).
_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
_HOUR_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}(?:[Zz]|[+-]\d|$)")
_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{2}):?(\d{2})$")
_TIME_OFFSET = re.compile(r"[+-]\d{2}:?(\d{2})")  # in the time part of an ISO time
_OFFSET_HOURS = re.compile(r"[+-](\d{2}):?\d{2}$")  # the offset ending an ISO time: its hours
# Seconds and their fraction, in a time: ``without_fraction``.
_FRACTION = re.compile(r"^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})[.,](\d+)")
_OFFSET_SECONDS = re.compile(r"[Tt ]\d{2}:\d{2}(?::\d{2})?[+-]\d{2}:\d{2}:\d{2}")  # +05:30:15


SPAN = {
    "day": dt.timedelta(days=1),
    "minute": dt.timedelta(minutes=1),
    "second": dt.timedelta(seconds=1),
}


@dataclass(frozen=True)
class When:
    """A time as said: from ``at`` (UTC) for one unit of its precision, in its offset.

    "2026-04-12" at +03:30 is the whole day, from 2026-04-11 20:30Z until 2026-04-12
    20:30Z; "11:00+03:30" is that minute. ``until`` is where the interval ends.
    """

    at: dt.datetime
    offset_minutes: int
    precision: str  # "day", "minute" or "second"

    @property
    def until(self) -> dt.datetime:
        """The end of the interval (exclusive): what "as of" a time given this way means."""
        return self.at + SPAN[self.precision]

    def local(self) -> dt.datetime:
        return self.at.astimezone(_fixed_zone(self.offset_minutes))

    def __str__(self) -> str:
        # A UTC time is marked as UTC, a day as any other (``2023-06-23 (Z)``): a bare day
        # beside ``23:15+03:00`` would read as that desk's own day.
        local = self.local()
        offset = "Z" if self.offset_minutes == 0 else format_offset(self.offset_minutes)
        if self.precision == "day":
            return f"{local.date().isoformat()} ({offset})"
        pattern = "%Y-%m-%d %H:%M" if self.precision == "minute" else "%Y-%m-%d %H:%M:%S"
        return local.strftime(pattern) + offset

    @property
    def zone(self) -> str:
        return format_offset(self.offset_minutes)

    def isoformat(self) -> str:
        """Machine form for JSON and CSV: the local time with its offset, at its precision."""
        local = self.local()
        if self.precision == "day":
            return local.date().isoformat()  # the day as said; its zone is ``zone``
        spec = "minutes" if self.precision == "minute" else "seconds"
        return local.isoformat(timespec=spec)


def said_when(stance) -> When:
    """When a stance (a row or an object with the said_* columns) was said, as said."""
    return When(stance.said_at, stance.said_offset, stance.said_precision)


def said_texts(at, offset: int, precision: str) -> tuple[str, str, str]:
    """A said time as an export writes it, from its UTC instant as stored (SQLite's text,
    ``YYYY-MM-DD HH:MM:SS.ffffff``; PostgreSQL's naive datetime): ``When.isoformat()``,
    ``When.zone`` and ``str(When)``. A UTC time of a year of four digits (nearly every
    one an export writes) is cut from the stored text, the same characters ``When``
    makes at some twenty times the cost; any other goes through ``When``."""
    text = at if type(at) is str else at.isoformat(" ")
    if offset == 0 and text[0] != "0" and len(text) >= 19 and text[4] == "-":
        if precision == "minute":
            return f"{text[:10]}T{text[11:16]}+00:00", "+00:00", text[:16] + "Z"
        if precision == "second":
            return f"{text[:10]}T{text[11:19]}+00:00", "+00:00", text[:19] + "Z"
        if precision == "day":
            return text[:10], "+00:00", text[:10] + " (Z)"
    when = When(utc_instant(at), offset, precision)
    return when.isoformat(), when.zone, str(when)


def utc_instant(at) -> dt.datetime:
    """An instant as stored (``said_texts``) as an aware UTC datetime."""
    if type(at) is str:
        return dt.datetime.fromisoformat(at + "+00:00")
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


@functools.cache  # an export writes a time or two a claim, in the same few offsets
def _fixed_zone(minutes: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(minutes=minutes))


@functools.cache  # the same few offsets, written on every row of an export
def format_offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def parse_zone(name: str | None) -> dt.tzinfo | None:
    """``--tz``: an offset (``+05:00``, ``UTC+05:00``), ``UTC`` or an IANA zone name."""
    if name is None:
        return None
    return _zone(name.strip())


@functools.lru_cache(maxsize=256)  # an import reads the same few zones on every row
def _zone(name: str) -> dt.tzinfo:
    if name.upper() in ("UTC", "Z"):
        return dt.UTC
    match = _OFFSET.match(name)
    if match:
        sign, hours, mins = match.groups()
        if int(mins) > 59:
            raise UsageError(f"time zone {name!r}: an offset's minutes are 00 to 59")
        delta = dt.timedelta(hours=int(hours), minutes=int(mins))
        if delta >= dt.timedelta(hours=24):
            raise UsageError(f"time zone {name!r}: an offset must be under 24 hours")
        _check_offset(-delta if sign == "-" else delta, f"time zone {name!r}",
                      unknown=sign == "-" and not delta)  # fmt: skip
        return dt.timezone(-delta if sign == "-" else delta)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {name!r}: use an offset like +05:00 or a name like Asia/Karachi"
        ) from None


def now(zone: dt.tzinfo | None = None) -> When:
    """This second, in ``zone``'s offset now (UTC without one)."""
    at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return _when(at.astimezone(zone), "second") if zone else When(at, 0, "second")


def begun(when: When, what: str = "said", now_at: dt.datetime | None = None) -> When:
    """Refuse a time that begins after now (``now_at``, else this instant): nothing can
    have been said (``what``: or published) then, so it is a typo (2030 for 2023). A day
    begins at its start in its own offset: today in a zone ahead of UTC has begun."""
    current = now_at or dt.datetime.now(dt.UTC)
    if when.at > current:
        at = When(current.replace(microsecond=0), 0, "second")
        raise UsageError(f"the {what} time {when} is after now ({at}): give when it was {what}")
    return when


def parse_when(text: str, tz: str | None = None, *, zone_from: str = "--tz", agree: bool = False,
               option: str | None = None) -> When:  # fmt: skip
    """Parse a time given by a user; raise UsageError saying what is accepted.
    ``zone_from`` says where a zone can be given (an option, a file's column).

    ``now`` is this second in ``tz``'s offset (the editor said where they are). With
    ``agree`` (one time and one ``--tz`` on a command line), a time that carries its own
    offset must have the zone's offset at that time, or it is refused: the editor said two
    different things. Without it (a file's rows and its ``--tz``), a row's own offset wins.
    ``option``: the option the time was given with, named in that refusal.
    """
    raw = text.strip()
    zone = parse_zone(tz)
    if raw.lower() == "now":
        return now(zone)
    if not raw.isascii() and any(c.isdigit() and not c.isascii() for c in raw):
        # nu21: ２０２３-06-06 (full-width digits) leaked Python's "Invalid isoformat string"
        import unicodedata

        typed = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in raw)
        typed = unicodedata.normalize("NFKC", typed)
        raise UsageError(f"time {text!r} has digits other than 0-9: type it as {typed!r}")
    if _DATE.match(raw):
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise UsageError(f"not a date: {text!r} ({exc})") from None
        local = dt.datetime.combine(day, dt.time(), zone or dt.UTC)
        return _when(local, "day")
    if _HOUR_ONLY.match(raw):
        minutes = raw[:10] + "T" + raw[11:13] + ":00" + raw[13:].upper()
        raise UsageError(
            f"time {text!r} has an hour without its minutes: give {minutes}, or the date "
            "alone (times are kept to the minute or the second, or as a day)"
        )
    if _OFFSET_SECONDS.search(raw):
        raise UsageError(f"time {text!r}: a UTC offset is hours and minutes (+05:30)")
    if not _TIME.match(raw):
        raise UsageError(f"not a time: {text!r}: {FORMS}")
    raw = raw[:10] + "T" + raw[11:].upper()  # RFC 3339's t and z are T and Z
    # Python reads +03:99 as 4 h 39 min: a mistyped offset would move the time unseen.
    offset = _TIME_OFFSET.search(raw.partition("T")[2])
    if offset and int(offset.group(1)) > 59:
        raise UsageError(f"time {text!r}: an offset's minutes are 00 to 59 (+05:30)")
    try:
        parsed = dt.datetime.fromisoformat(raw)
    except ValueError:
        hours = _OFFSET_HOURS.search(raw.partition("T")[2])
        if hours and int(hours.group(1)) >= 24:  # nu18: +24:00 was "not a time"
            raise UsageError(f"time {text!r}: an offset must be under 24 hours (+05:30, "
                             "-04:00)") from None  # fmt: skip
        raise UsageError(f"not a time: {text!r}: {FORMS}") from None
    if parsed.tzinfo is None:
        if zone is None:
            raise UsageError(
                f"time {text!r} has no UTC offset: add one (2026-04-12T08:30+05:00) "
                f"or say which zone with {zone_from}"
            )
        parsed = parsed.replace(tzinfo=zone)
        _check_wall_time(parsed, text, tz, zone_from)
    elif agree and zone is not None:
        own, zones = parsed.utcoffset(), parsed.astimezone(zone).utcoffset()
        if own != zones:
            given = f"{option} {text!r}" if option else f"time {text!r}"  # nu19: which one
            raise UsageError(
                f"{given} is at {_offset(own)}, but {zone_from} {tz.strip()} is at "
                f"{_offset(zones)} then: give the offset or {zone_from}, not both"
            )
    if parsed.tzinfo is not None and not raw.endswith("Z"):  # its own offset, given
        _check_offset(parsed.utcoffset(), f"time {text!r}",
                      unknown=raw.endswith(("-00:00", "-0000", "-00")))  # fmt: skip
    if _FRACTION.match(raw):  # kept to the second: a fraction (.000 too) would be lost unsaid
        whole = parsed.replace(microsecond=0).isoformat()
        if raw.endswith("Z"):  # as given (nu18: its Z was shown as +00:00)
            whole = whole.removesuffix("+00:00") + "Z"
        raise UsageError(
            f"time {text!r} has a fraction of a second: times are kept to the second (give {whole})"
        )
    if (parsed.utcoffset() or dt.timedelta(0)) % dt.timedelta(minutes=1):
        raise UsageError(f"time {text!r}: a UTC offset is hours and minutes (+05:30)")
    precision = "second" if _WITH_SECONDS.match(raw) else "minute"
    return _when(parsed, precision)


# The offsets clocks show somewhere: from -12:00 (Baker Island) to +14:00 (Kiribati).
EARLIEST_OFFSET, LATEST_OFFSET = dt.timedelta(hours=-12), dt.timedelta(hours=14)


def _check_offset(offset: dt.timedelta | None, what: str, *, unknown: bool = False) -> None:
    """Refuse an offset no clock shows (+15:00: a typo), and -00:00, which RFC 3339 gives
    for "UTC, the local offset unknown": stored as UTC, the offset it was said in would be
    taken to be known."""
    if unknown:
        raise UsageError(
            f"{what}: -00:00 says the local offset is unknown; give the offset it was said "
            "in, or Z (+00:00) for UTC"
        )
    if offset is not None and not EARLIEST_OFFSET <= offset <= LATEST_OFFSET:
        raise UsageError(
            f"{what}: no clock is at {_offset(offset)} (offsets run from -12:00 to +14:00)"
        )


def without_fraction(text: str) -> tuple[str, bool]:
    """The time with its fraction of a second taken off (``...T14:05:33.123Z`` is
    ``...T14:05:33Z``: the second it falls in), and whether the fraction was not zero:
    for times a file gives as its publisher wrote them (ClaimReview's datePublished),
    which are kept to the second, as every time is, where ``parse_when`` refuses a
    fraction typed by an editor. Anything else is returned as it is."""
    stripped = text.strip()
    found = _FRACTION.match(stripped)
    if found is None:
        return text, False
    return found.group(1) + stripped[found.end() :], bool(found.group(2).strip("0"))


def _check_wall_time(local: dt.datetime, text: str, tz: str | None, zone_from: str) -> None:
    """Refuse a clock time a named zone skipped or showed twice (a change of its clocks):
    taken as one offset or the other, it would be an hour off without a word."""
    first, second = local.replace(fold=0), local.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return
    zone = tz.strip() if tz else "that zone"
    before, after = _offset(first.utcoffset()), _offset(second.utcoffset())
    back = first.astimezone(dt.UTC).astimezone(local.tzinfo).replace(tzinfo=None)
    if back != local.replace(tzinfo=None):  # the clocks went forward over it
        raise UsageError(
            f"time {text!r} did not happen in {zone} (its clocks went from {before} to "
            f"{after}): check it, or give it with its offset and without {zone_from}"
        )
    raise UsageError(  # the clocks went back over it
        f"time {text!r} happened twice in {zone} (at {before}, then at {after}): give its offset"
    )


def _offset(delta: dt.timedelta | None) -> str:
    return format_offset(int((delta or dt.timedelta(0)).total_seconds() // 60))


def _when(local: dt.datetime, precision: str) -> When:
    if not 1 < local.year < 9999:  # a day either side must still be a date
        raise UsageError(f"{local.date().isoformat()} is out of range: give a year from 2 to 9998")
    offset = local.utcoffset() or dt.timedelta(0)
    return When(local.astimezone(dt.UTC), int(offset.total_seconds() // 60), precision)
