"""The contested-claims report as one self-contained HTML page.

No scripts, no fetches: the CSS is inline and every piece of text passes through
``html.escape``, so a claim reading ``<script>`` shows as text. Quotes carry the
``lang`` of their language, so browsers pick the right fonts and directions (Persian
runs right to left).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from claimtrack import __version__

CSS = """
*{overflow-wrap:anywhere}
body{font-family:system-ui,-apple-system,"Noto Sans","Noto Sans CJK SC","Noto Naskh Arabic",
sans-serif;margin:0 auto;max-width:60rem;padding:1rem;line-height:1.45;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin:0 0 .5rem}
article{border:1px solid #ccc;border-radius:.5rem;padding:1rem;margin:1rem 0}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
@media (max-width:40rem){.sides{grid-template-columns:1fr}}
.for{border-left:4px solid #2a7d2a;padding-left:.6rem}
.against{border-left:4px solid #b3261e;padding-left:.6rem}
h3{font-size:.95rem;margin:.2rem 0}ul{padding-left:1.1rem;margin:.2rem 0}
blockquote{margin:.2rem 0 .4rem;color:#333}
.verdict{background:#fff4ce;padding:.3rem .6rem;border-radius:.3rem;display:inline-block}
.meta,.timeline{font-size:.85rem;color:#555}
details{margin-top:.6rem}
"""


def _quote(text: str | None, lang: str | None) -> str:
    if not text:
        return ""
    attr = f' lang="{escape(lang)}"' if lang else ""
    return f"<blockquote{attr}>“{escape(text)}”</blockquote>"


def _position(p) -> str:
    via = f" <span class=meta>via {escape(p.via)}</span>" if p.via else ""
    counter = (f" <span class=meta>[counter-claim #{p.counter_claim_id}]</span>"
               if p.counter_claim_id else "")  # fmt: skip
    kind = "" if p.kind in ("asserts", "denies") else f" <span class=meta>({escape(p.kind)})</span>"
    quote = _quote(p.quote, p.quote_lang)
    anonymous = " <span class=meta>anonymous source</span>" if p.anonymous else ""
    return f"<li><strong>{escape(p.party)}</strong>{anonymous}{kind}{counter}{via}{quote}</li>"


def _timeline(entries, claim_id: int) -> str:
    rows = []
    for t in entries:
        source = ""
        if t.source and t.source_url:
            source = f' — <a href="{escape(t.source_url)}">{escape(t.source)}</a>'
        elif t.source:
            source = f" — {escape(t.source)}"
        rows.append(
            f"<li>{escape(str(t.said))}: {escape(t.party)} {escape(t.kind)}"
            f"{' claim #' + str(t.claim_id) if t.claim_id else ''}{source}</li>"
        )
    return "<ol class=timeline>" + "".join(rows) + "</ol>"


def contested_page(claims, details: dict[int, dict], *, as_of: dt.datetime | None = None) -> str:
    """The page: each contested claim, both sides with quotes, its verdict and timeline."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = "Contested claims" + (f" as of {as_of:%Y-%m-%d %H:%M} UTC" if as_of else "")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No script may run, and nothing may be fetched: the page stands alone.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p class=meta>{len(claims)} claim(s). Made {stamp} by claimtrack {__version__}.</p>",
    ]
    if not claims:
        parts.append("<p>No contested claims.</p>")
    for c in claims:
        detail = details[c.claim_id]
        timeline = detail["_timeline"]
        verdict = ""
        if c.verdict:
            summary = f" — {escape(c.verdict['summary'])}" if c.verdict.get("summary") else ""
            link = (f' <a href="{escape(c.verdict["url"])}">published verdict</a>'
                    if c.verdict.get("url") else "")  # fmt: skip
            verdict = (
                f"<p class=verdict>Verdict: <strong>{escape(c.verdict['label'])}"
                f"</strong> ({escape(c.verdict['rating'])}){summary}{link}</p>"
            )
        parts.append(
            f'<article id="claim-{c.claim_id}"><h2>#{c.claim_id} {escape(c.text)}</h2>'
            f"<p class=meta>{escape(c.topic)} · contested since {escape(str(c.contested_since))}"
            f" · last activity {escape(str(c.last_activity))}</p>{verdict}"
            "<div class=sides><section class=for><h3>Asserted by</h3><ul>"
            + "".join(_position(p) for p in c.support)
            + "</ul></section><section class=against><h3>Denied or countered by</h3><ul>"
            + "".join(_position(p) for p in c.oppose)
            + "</ul></section></div>"
            f"<details><summary>Timeline ({len(timeline)})</summary>"
            f"{_timeline(timeline, c.claim_id)}"
            "</details></article>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
