"""Delete one conversation, every event of it, from the tracker store: a visitor's request.

    make forget SENDER=<conversation id>
    TRACKER_STORE_URL=postgresql://user:password@host:5432/rasa make forget SENDER=...

The database is the one `make run` uses (TRACKER_STORE_URL, by default the SQLite file
conversations.db), named by the same SQLAlchemy URL. Running Rasa processes notice on the
conversation's next message that it is gone (stores/tracker_store.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stores.privacy import forget_conversation  # noqa: E402
from stores.tracker_store import IncrementalSQLTrackerStore  # noqa: E402

DEFAULT_URL = "sqlite:///conversations.db"  # scripts/run.sh's default


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sender_id", help="the conversation's sender id")
    parser.add_argument(
        "--url",
        default=os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL,
        help="SQLAlchemy URL of the tracker store (default: $TRACKER_STORE_URL or %(default)s)",
    )
    args = parser.parse_args(argv)
    if not args.sender_id.strip():
        parser.error("give the conversation's sender id: make forget SENDER=...")
    url = sa.engine.make_url(args.url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        # Connecting would create an empty database file.
        print(f"forget: no database file {url.database!r}", file=sys.stderr)
        return 1
    engine = sa.create_engine(url)
    if not sa.inspect(engine).has_table(IncrementalSQLTrackerStore.SQLEvent.__tablename__):
        print(f"forget: no conversations stored at {engine.url!r}", file=sys.stderr)
        return 1
    deleted = forget_conversation(
        engine, IncrementalSQLTrackerStore.SQLEvent.__table__, args.sender_id
    )
    print(f"forget: deleted {deleted} events of conversation {args.sender_id!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
