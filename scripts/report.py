"""The content team's report on the stored conversations: what was asked, what was not answered.

    make report                                   # conversations.db of make run
    make report SINCE=2026-12-01 UNTIL=2026-12-31 URL=postgresql://postgres@127.0.0.1:5432/rasa

Reads the tracker store (TRACKER_STORE_URL, by default the SQLite file conversations.db)
and writes results/report/index.html, one CSV file per table and nlu_suggestions.yml.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reporting.report import build_report, write_report  # noqa: E402
from reporting.turns import StoreError, read_turns  # noqa: E402

DEFAULT_URL = "sqlite:///conversations.db"  # scripts/run.sh's default
DEFAULT_OUT = Path("results/report")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", type=_day, help="first day, YYYY-MM-DD (UTC), included")
    parser.add_argument("--until", type=_day, help="last day, YYYY-MM-DD (UTC), included")
    parser.add_argument(
        "--url",
        default=os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL,
        help="SQLAlchemy URL of the tracker store (default: $TRACKER_STORE_URL or %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: %(default)s")
    args = parser.parse_args(argv)
    if args.since and args.until and args.since > args.until:
        parser.error(f"--since {args.since} is after --until {args.until}")
    try:
        turns = read_turns(args.url, args.since, args.until)
    except StoreError as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    report = build_report(turns, args.since, args.until)
    page = write_report(report, args.out)
    print(
        f"report: {report.conversations} conversations, {report.turns} messages, "
        f"groups of unanswered questions: {len(report.groups)}; {page}"
    )
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


if __name__ == "__main__":
    sys.exit(main())
