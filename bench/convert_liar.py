"""Convert the LIAR dataset (Wang, ACL 2017) into claimtrack's per-stance CSV.

    python bench/convert_liar.py ../shared/data/liar liar.csv
    claimtrack import csv liar.csv

Each statement becomes a claim (slug ``liar-<id>``, topic its first subject) asserted by
its speaker (a person acting for their party affiliation); PolitiFact's label becomes
PolitiFact's stance: false, pants-fire and barely-true deny the claim, true and
mostly-true confirm it, half-true is a comment. LIAR gives no dates, so every stance
is dated 2017-07-01 (the dataset's publication) at day precision. Speakers' jobs and
states are not carried over. The files are read with csv.QUOTE_NONE: 632 statements
begin with a double quote, and default quoting would silently swallow 29 rows.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

FILES = ("train.tsv", "valid.tsv", "test.tsv")
LABELS = {
    "false": "denies", "pants-fire": "denies", "barely-true": "denies",
    "true": "confirms", "mostly-true": "confirms", "half-true": "comments",
}  # fmt: skip
DATE = "2017-07-01"


def read_rows(folder: Path):
    """Every LIAR row, as the 14 fields the README describes."""
    for name in FILES:
        with (folder / name).open(encoding="utf-8", newline="") as f:
            for line, fields in enumerate(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
                if len(fields) != 14:
                    raise ValueError(f"{name}:{line}: {len(fields)} fields, expected 14")
                yield fields


def convert(folder: Path, out: Path) -> int:
    """Write the import CSV; return the number of statements."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from claimtrack.render import STANCES
    from claimtrack.spreadsheet import CsvWriter

    STANCE_COLUMNS = STANCES.headers

    count = 0
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = CsvWriter(f, bom=False)
        writer.row(STANCE_COLUMNS)
        for fields in read_rows(folder):
            statement_id, label, statement, subjects, speaker = fields[:5]
            affiliation, context = fields[7], fields[13]
            slug = "liar-" + statement_id.removesuffix(".json").replace("_", "-").lower()
            topic = (subjects.split(",")[0] or "none").strip()
            base = {
                "topic": f"liar-{topic}", "claim_ref": slug, "claim": statement,
                "claim_lang": "en", "said_at": DATE, "said_tz": "+00:00",
            }  # fmt: skip
            speaker_row = dict(base, party=speaker or "unknown speaker", party_kind="person",
                               party_for=affiliation if affiliation not in ("", "none") else "",
                               stance="asserts")  # fmt: skip
            if context:
                speaker_row.update(source_title=context, source_outlet=speaker_row["party"])
            verdict_row = dict(
                base, party="PolitiFact", party_kind="media", stance=LABELS[label], quote=label
            )
            for row in (speaker_row, verdict_row):
                writer.row(row.get(column, "") for column in STANCE_COLUMNS)
            count += 1
    return count


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/convert_liar.py LIAR_FOLDER OUT.csv")
    n = convert(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{n} statements -> {sys.argv[2]} ({2 * n} stance rows)")
