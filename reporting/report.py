"""The report's tables from the turns, and the page and CSV files written from them.

`build_report` is what tests check (counts, lists); `write_report` writes `index.html`, one
CSV file per table and `nlu_suggestions.yml`. The page is self-contained: charts are PNG
images inside it, no script, font or style is fetched, and every text from a conversation
is HTML-escaped (they are stored masked already and shown as stored).
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from actions.feedback import HELPFUL, NOT_HELPFUL
from reporting.turns import CLARIFIED, DECLINED, OUTCOMES, PASSAGE, Turn
from reporting.unanswered import UnansweredGroup, unanswered_groups

ALL_CHANNELS = "all"


@dataclass
class Table:
    name: str  # the CSV file's name, without .csv
    title: str
    columns: List[str]
    rows: List[List[Any]]
    note: str = ""


@dataclass
class Report:
    since: Optional[date]
    until: Optional[date]
    generated: datetime
    turns: int
    conversations: int
    tables: Dict[str, Table] = field(default_factory=dict)
    groups: List[UnansweredGroup] = field(default_factory=list)


def build_report(
    turns: Sequence[Turn],
    since: Optional[date] = None,
    until: Optional[date] = None,
    nlu_examples: Optional[Dict[str, List[str]]] = None,
) -> Report:
    groups = unanswered_groups(turns, nlu_examples)
    tables = [
        activity_table(turns),
        intents_table(turns),
        topics_table(turns),
        outcomes_table(turns),
        unanswered_table(groups),
        latency_table(turns),
        not_helpful_table(turns),
    ]
    return Report(
        since=since,
        until=until,
        generated=datetime.now(timezone.utc),
        turns=len(turns),
        conversations=len({t.conversation_id for t in turns}),
        tables={table.name: table for table in tables},
        groups=groups,
    )


def activity_table(turns: Sequence[Turn]) -> Table:
    conversations: Dict[tuple, set] = defaultdict(set)
    messages: Counter = Counter()
    replies: Counter = Counter()
    for turn in turns:
        key = (turn.day.isoformat(), turn.channel)
        conversations[key].add(turn.conversation_id)
        messages[key] += 1
        replies[key] += bool(turn.reply)
    rows = [
        [*key, len(conversations[key]), messages[key], replies[key]] for key in sorted(messages)
    ]
    return Table(
        "activity",
        "Conversations and messages per day and channel",
        ["day", "channel", "conversations", "user_messages", "replies"],
        rows,
        "Days in UTC. A conversation active on several days counts on each.",
    )


def intents_table(turns: Sequence[Turn]) -> Table:
    return _counted(
        "intents",
        "Topics asked most, by NLU intent",
        "intent",
        [t.intent or "(none)" for t in turns],
        "What NLU read each message as; nlu_fallback: not sure enough to say.",
    )


def topics_table(turns: Sequence[Turn]) -> Table:
    labels = [
        t.topic or ("(question back)" if t.outcome == CLARIFIED else f"({t.answered_by})")
        for t in turns
        if t.topic or t.answered_by
    ]
    return _counted(
        "topics",
        "Topics answered most, by the answer's topic",
        "topic",
        labels,
        "The `topic` slot an answer set (out_of_scope: declined; passage: quoted from the "
        "article); in brackets the response of a turn without one (a greeting, a question "
        "back).",
    )


def outcomes_table(turns: Sequence[Turn]) -> Table:
    by_day: Dict[str, Counter] = defaultdict(Counter)
    for turn in turns:
        by_day[turn.day.isoformat()][turn.outcome] += 1
    rows = []
    for day in sorted(by_day):
        counts = by_day[day]
        total = sum(counts.values())
        rows.append(
            [day, total, *(counts[o] for o in OUTCOMES)]
            + [_share(counts[o], total) for o in (DECLINED, CLARIFIED, PASSAGE)]
        )
    return Table(
        "outcomes",
        "Declined, clarified and answered from a passage, per day",
        ["day", "turns", *OUTCOMES, "declined_share", "clarified_share", "passage_share"],
        rows,
        "declined: out of scope or not in the article; clarified: a question back (which "
        "job, did you mean); passage: quoted from a retrieved passage of the article.",
    )


def unanswered_table(groups: Sequence[UnansweredGroup]) -> Table:
    rows = [
        [
            g.count,
            g.example,
            g.outcomes.get(DECLINED, 0),
            g.outcomes.get(CLARIFIED, 0),
            g.nlu_intent or "",
            g.suggested_intent,
            g.suggested_by,
            _wordings(g),
        ]
        for g in groups
    ]
    return Table(
        "unanswered",
        "Unanswered questions (declined or clarified), similar ones grouped",
        [
            "count",
            "example",
            "declined",
            "clarified",
            "nlu_intent",
            "suggested_intent",
            "suggested_by",
            "questions",
        ],
        rows,
        "Most frequent first. A suggestion to review, nothing is added to the training data.",
    )


def _wordings(group: UnansweredGroup) -> str:
    more = len(group.questions) - len(group.shown_questions)
    return " | ".join(group.shown_questions) + (f" (and {more} more)" if more else "")


def latency_table(turns: Sequence[Turn]) -> Table:
    latencies: Dict[str, List[float]] = defaultdict(list)
    for turn in turns:
        if turn.latency is not None:
            latencies[ALL_CHANNELS].append(turn.latency)
            latencies[turn.channel].append(turn.latency)
    rows = [
        [channel, len(values), _ms(np.median(values)), _ms(np.percentile(values, 95))]
        for channel, values in sorted(latencies.items(), key=lambda item: item[0] != ALL_CHANNELS)
    ]
    return Table(
        "latency",
        "Reply latency",
        ["channel", "replies", "median_ms", "p95_ms"],
        rows,
        "From the user message to the assistant's first reply, as stored.",
    )


def not_helpful_table(turns: Sequence[Turn]) -> Table:
    rated = [t for t in turns if t.rating]
    helpful = sum(t.rating == HELPFUL for t in rated)
    rows = [
        [t.day.isoformat(), t.channel, t.conversation_id, t.text, t.rated_reply, t.rating_comment]
        for t in rated
        if t.rating == NOT_HELPFUL
    ]
    return Table(
        "not_helpful",
        'Answers rated "Not helpful"',
        ["day", "channel", "conversation", "question", "reply", "comment"],
        rows,
        f"{len(rated)} answers rated: {helpful} helpful, {len(rows)} not helpful. A rating "
        "changed later counts as its latest; the day is the question's.",
    )


def write_report(report: Report, out: Path) -> Path:
    """index.html, a CSV file per table and nlu_suggestions.yml in `out`; the page's path."""
    out.mkdir(parents=True, exist_ok=True)
    for table in report.tables.values():
        with open(out / f"{table.name}.csv", "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
    suggestions = "".join(g.nlu_lines() + "\n" for g in report.groups)
    (out / "nlu_suggestions.yml").write_text(
        "# For review: paste into data/nlu.yml only what the assistant should learn.\n"
        + suggestions,
        encoding="utf-8",
    )
    page = out / "index.html"
    page.write_text(render_html(report), encoding="utf-8")
    return page


def render_html(report: Report) -> str:
    t = report.tables
    period = f"{report.since or 'the first conversation'} to {report.until or 'the latest'}"
    sections = [
        f"<h1>What people asked the careers assistant</h1><p>From {_e(period)}: "
        f"{report.conversations} conversations, {report.turns} messages. Generated "
        f"{_e(report.generated.strftime('%Y-%m-%d %H:%M UTC'))}. Texts are shown as stored, "
        "with e-mail addresses and phone numbers masked.</p>",
        _section(t["activity"], _activity_chart(t["activity"])),
        _section(t["intents"]),
        _section(t["topics"]),
        _section(t["outcomes"], _outcomes_chart(t["outcomes"])),
        _unanswered_section(t["unanswered"], report.groups),
        _section(t["latency"]),
        _section(t["not_helpful"]),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Careers assistant: content report</title><style>{_STYLE}</style></head>"
        f"<body><main>{''.join(sections)}</main></body></html>\n"
    )


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;color:#222}"
    "main{max-width:70rem;margin:auto;padding:1rem}"
    "table{border-collapse:collapse;margin:.5rem 0 1rem}"
    "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}td.n{text-align:right}"
    "pre{background:#f6f6f6;padding:.5rem;overflow-x:auto}img{max-width:100%}"
    ".note{color:#555}"
)


def _section(table: Table, chart: str = "", after: str = "") -> str:
    return (
        f'<section id="{table.name}"><h2>{_e(table.title)}</h2>'
        f'<p class="note">{_e(table.note)} CSV: <a href="{table.name}.csv">{table.name}.csv</a>'
        f"</p>{chart}{_html_table(table)}{after}</section>"
    )


def _unanswered_section(table: Table, groups: Sequence[UnansweredGroup]) -> str:
    if not groups:
        return _section(table)
    suggestions = "".join(
        f"<h3>{_e(g.example)} ({g.count})</h3><p>Suggested intent "
        f"<code>{_e(g.suggested_intent)}</code>, from {_e(g.suggested_by)}.</p>"
        f"<pre>{_e(g.nlu_lines())}</pre>"
        for g in groups
    )
    return _section(
        table,
        after="<h3>NLU example lines to review</h3><p>Ready to paste into data/nlu.yml after "
        'review (also in <a href="nlu_suggestions.yml">nlu_suggestions.yml</a>); nothing is '
        f"added automatically.</p>{suggestions}",
    )


def _html_table(table: Table) -> str:
    if not table.rows:
        return "<p>None in this period.</p>"
    head = "".join(f"<th>{_e(column)}</th>" for column in table.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{_e(cell)}</td>'
            if isinstance(cell, (int, float))
            else f"<td>{_e(cell)}</td>"
            for cell in row
        )
        + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _activity_chart(table: Table) -> str:
    if not table.rows:
        return ""
    days = sorted({row[0] for row in table.rows})
    channels = sorted({row[1] for row in table.rows})
    figure, panels = _figure(columns=2)
    for panel, column in zip(panels, ("conversations", "user_messages"), strict=True):
        counts = {(row[0], row[1]): row[table.columns.index(column)] for row in table.rows}
        bottom = np.zeros(len(days))
        for channel in channels:
            values = np.array([counts.get((day, channel), 0) for day in days])
            panel.bar(days, values, bottom=bottom, label=channel)
            bottom += values
        panel.set_title(column.replace("_", " "))
        panel.yaxis.get_major_locator().set_params(integer=True)
    panels[0].legend()
    return _png(figure, "Conversations and user messages per day, stacked by channel")


def _outcomes_chart(table: Table) -> str:
    if not table.rows:
        return ""
    columns = table.columns
    days = [row[0] for row in table.rows]
    figure, (axes,) = _figure()
    for outcome in (DECLINED, CLARIFIED, PASSAGE):
        shares = [row[columns.index(f"{outcome}_share")] * 100 for row in table.rows]
        axes.plot(days, shares, marker="o", label=outcome)
    axes.set_ylabel("% of messages")
    axes.set_ylim(0, 100)
    axes.legend()
    return _png(figure, "Share of messages declined, clarified and answered from a passage")


def _figure(columns: int = 1):
    import matplotlib

    matplotlib.use("Agg")  # no display; imported here so building tables needs no plotting
    from matplotlib import pyplot

    figure, panels = pyplot.subplots(1, columns, figsize=(8, 3), dpi=100, squeeze=False)
    for panel in panels[0]:
        panel.tick_params(axis="x", labelrotation=45)
    return figure, list(panels[0])


def _png(figure, description: str) -> str:
    from matplotlib import pyplot

    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(description)}">'


def _counted(name: str, title: str, column: str, labels: List[str], note: str) -> Table:
    counts = Counter(labels)
    total = sum(counts.values())
    rows = [
        [label, count, _share(count, total)]
        for label, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return Table(name, title, [column, "turns", "share"], rows, note)


def _share(count: int, total: int) -> float:
    return round(count / total, 3) if total else 0.0


def _ms(seconds: float) -> int:
    return int(round(float(seconds) * 1000))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)
