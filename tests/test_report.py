"""The content team's report on conversations stored by the project's own tracker store.

The store is seeded the way Rasa fills it: trackers of real Rasa events saved through
`IncrementalSQLTrackerStore`, so masking and the row format are those of `make run`. On
SQLite here, and with the integration tests on the local PostgreSQL server too (cluster mode).
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import re
import subprocess
import sys
import threading
import uuid
from datetime import date, datetime, timezone
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, List, Optional

import pytest
import requests
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from actions import answers, feedback
from actions.feedback import HELPFUL, NOT_HELPFUL
from reporting import unanswered
from reporting.report import build_report, write_report
from reporting.turns import (
    ANSWERED,
    CLARIFIED,
    DECLINED,
    EVENTS,
    PASSAGE,
    StoreError,
    Turn,
    read_turns,
    turns_of,
)
from reporting.unanswered import read_nlu_examples
from stores.tracker_store import IncrementalSQLTrackerStore
from tests.cluster_runner import POSTGRES, administer_postgres
from tests.servers import running_servers

ROOT = Path(__file__).resolve().parent.parent
DECEMBER_1 = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc).timestamp()
DECEMBER_2 = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc).timestamp()
OUT_OF_SCOPE_REPLY = "I can only help with what one careers article says ..."
SCRIPT = "<script>alert(1)</script>"


def turn(
    text: str,
    intent: str,
    action: str,
    reply: str,
    at: float,
    latency: float,
    topic: Optional[str] = None,
) -> List[Event]:
    """One turn's events in the order Rasa stores them; `topic` None: the slot unchanged."""
    events: List[Event] = [
        UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=at),
        ActionExecuted(action, timestamp=at + latency / 2),
        BotUttered(reply, timestamp=at + latency),
    ]
    if topic:
        events.append(SlotSet("topic", topic, timestamp=at + latency))
    return events + [ActionExecuted("action_listen", timestamp=at + latency)]


def rating(value: str, rated_reply: str, at: float, comment: str = "") -> List[Event]:
    """A press of "Helpful" or "Not helpful" as the widget sends it, naming the reply."""
    entities = [{"entity": "rating", "value": value}]
    if comment:
        entities.append({"entity": "comment", "value": comment})
    return [
        UserUttered(
            feedback.feedback_payload(value, comment),
            {"name": "feedback", "confidence": 1.0},
            entities,
            timestamp=at,
            metadata=feedback.rated_reply_metadata(rated_reply),
        ),
        ActionExecuted("action_record_feedback", timestamp=at + 0.01),
        ActionExecuted("action_listen", timestamp=at + 0.01),
    ]


def conversation(at: float, *turns: List[Event]) -> List[Event]:
    opening = [
        ActionExecuted("action_session_start", timestamp=at - 1),
        SessionStarted(timestamp=at - 1),
        ActionExecuted("action_listen", timestamp=at - 1),
    ]
    return opening + [event for events in turns for event in events]


CONVERSATIONS = {
    "rest:alice": conversation(
        DECEMBER_1,
        turn("How much does a QA manager earn?", "ask_salary", "action_answer_salary",
             "A quality assurance manager earns ...", DECEMBER_1, 0.2, "salary"),
        rating(NOT_HELPFUL, "A quality assurance manager earns ...", DECEMBER_1 + 5,
               f"mail me at jo@example.com {SCRIPT}"),
        turn("What's the weather like in Leeds today?", "out_of_scope",
             "action_answer_out_of_scope", OUT_OF_SCOPE_REPLY, DECEMBER_1 + 10, 0.1,
             "out_of_scope"),
        # Declined again: the action sends no slot that stays the same.
        turn("what is the weather in London?", "out_of_scope", "action_answer_out_of_scope",
             OUT_OF_SCOPE_REPLY, DECEMBER_1 + 20, 0.3),
        turn("how much do they earn?", "ask_salary", "action_answer_salary",
             answers.WHICH_JOB, DECEMBER_1 + 30, 0.4),
    ),
    "socketio:bob": conversation(
        DECEMBER_2,
        turn("hi", "greet", "utter_greet", "Hi! I'm a careers assistant.", DECEMBER_2, 0.05),
        turn("is the work shift based?", "nlu_fallback", "action_answer_unclear",
             'From the article\'s section "Role": ...', DECEMBER_2 + 10, 0.5, "passage"),
        turn(f"contact me at jo@example.com {SCRIPT}", "out_of_scope",
             "action_answer_out_of_scope", OUT_OF_SCOPE_REPLY, DECEMBER_2 + 20, 0.6,
             "out_of_scope"),
        # An earlier reply rated after another message; the rating changed: the latest counts.
        rating(NOT_HELPFUL, 'From the article\'s section "Role"', DECEMBER_2 + 22),
        rating(HELPFUL, 'From the article\'s section "Role"', DECEMBER_2 + 24),
    ),
    "telegram:42": conversation(
        DECEMBER_2,
        turn("what does a qa analyst do", "ask_job_duties", "action_answer_job_duties",
             "What a quality assurance analyst does: ...", DECEMBER_2, 1.0, "job_duties"),
        rating(NOT_HELPFUL, "What a quality assurance analyst does", DECEMBER_2 + 5),
    ),
}  # fmt: skip
NLU_EXAMPLES = {
    "ask_salary": ["how much does a qa manager earn", "what is the pay"],
    "out_of_scope": ["what's the weather like", "tell me a joke"],
}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]
)
def store_url(request, tmp_path_factory) -> Iterator[str]:
    """The conversations above in a new store: SQLite (`make run`), PostgreSQL (cluster)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'conversations.db'}"
    else:
        name = f"careers_report_test_{uuid.uuid4().hex[:12]}"
        administer_postgres(f'CREATE DATABASE "{name}"')
        url = f"postgresql://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{name}"
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = IncrementalSQLTrackerStore(domain, host=url, retention_days=0)

    async def save_all() -> None:
        for sender_id, events in CONVERSATIONS.items():
            await store.save(DialogueStateTracker.from_events(sender_id, events, domain.slots))

    asyncio.run(save_all())
    store.engine.dispose()
    yield url
    if request.param == "postgresql":
        administer_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def report(store_url):
    return build_report(read_turns(store_url), nlu_examples=NLU_EXAMPLES)


@pytest.fixture(scope="module")
def written(report, tmp_path_factory) -> Path:
    return write_report(report, tmp_path_factory.mktemp("out")).parent


def rows(report, table: str) -> list:
    return report.tables[table].rows


def test_each_turn_is_answered_declined_clarified_or_from_a_passage(store_url):
    outcomes = {t.text: t.outcome for t in read_turns(store_url)}
    assert outcomes == {
        "How much does a QA manager earn?": ANSWERED,
        "What's the weather like in Leeds today?": DECLINED,
        "what is the weather in London?": DECLINED,
        "how much do they earn?": CLARIFIED,
        "hi": ANSWERED,
        "is the work shift based?": PASSAGE,
        f"contact me at [email] {SCRIPT}": DECLINED,
        "what does a qa analyst do": ANSWERED,
    }


def test_conversations_and_messages_per_day_and_channel(report):
    assert (report.conversations, report.turns) == (3, 8)
    assert rows(report, "activity") == [
        ["2026-12-01", "rest", 1, 4, 4],
        ["2026-12-02", "socketio", 1, 3, 3],
        ["2026-12-02", "telegram", 1, 1, 1],
    ]


def test_topics_by_intent_and_by_the_answers_topic(report):
    assert rows(report, "intents") == [
        ["out_of_scope", 3, 0.375],
        ["ask_salary", 2, 0.25],
        ["ask_job_duties", 1, 0.125],
        ["greet", 1, 0.125],
        ["nlu_fallback", 1, 0.125],
    ]
    assert rows(report, "topics") == [
        ["out_of_scope", 3, 0.375],
        ["(question back)", 1, 0.125],
        ["(utter_greet)", 1, 0.125],
        ["job_duties", 1, 0.125],
        ["passage", 1, 0.125],
        ["salary", 1, 0.125],
    ]


def test_shares_declined_clarified_and_from_a_passage_per_day(report):
    assert rows(report, "outcomes") == [
        # day, turns, answered, passage, clarified, declined, and the three shares
        ["2026-12-01", 4, 1, 0, 1, 2, 0.5, 0.25, 0.0],
        ["2026-12-02", 4, 2, 1, 0, 1, 0.25, 0.0, 0.25],
    ]


def test_unanswered_questions_grouped_most_frequent_first(report):
    weather, *others = report.groups
    assert (weather.count, weather.questions) == (
        2,
        ["what is the weather in london?", "what's the weather like in leeds today?"],
    )
    assert weather.example == "what is the weather in london?"
    assert weather.suggested_intent == "out_of_scope"  # nearest training examples
    assert [(g.count, g.example, g.suggested_intent) for g in others] == [
        (1, f"contact me at [email] {SCRIPT.lower()}", "out_of_scope"),
        (1, "how much do they earn?", "ask_salary"),  # NLU's reading
    ]
    assert others[1].outcomes == {CLARIFIED: 1}
    assert weather.nlu_lines() == (
        "- intent: out_of_scope\n"
        "  examples: |\n"
        "    - what is the weather in london?\n"
        "    - what's the weather like in leeds today?\n"
    )


def test_every_answer_rated_not_helpful_with_its_question_reply_and_comment(report):
    """Ratings are not turns (the counts above have none), and a rating changed later
    counts as its latest."""
    assert rows(report, "not_helpful") == [
        ["2026-12-01", "rest", "rest:alice", "How much does a QA manager earn?",
         "A quality assurance manager earns ...", f"mail me at [email] {SCRIPT}"],
        ["2026-12-02", "telegram", "telegram:42", "what does a qa analyst do",
         "What a quality assurance analyst does: ...", ""],
    ]  # fmt: skip
    assert report.tables["not_helpful"].note.startswith(
        "3 answers rated: 1 helpful, 2 not helpful."
    )


def test_reply_latency_median_and_p95(report):
    assert rows(report, "latency") == [
        ["all", 8, 350, 860],
        ["rest", 4, 250, 385],
        ["socketio", 3, 500, 590],
        ["telegram", 1, 1000, 1000],
    ]


def test_a_period_keeps_its_turns_with_the_topic_set_before_it(store_url):
    december_1 = read_turns(store_url, until=date(2026, 12, 1))
    assert [t.outcome for t in december_1] == [ANSWERED, DECLINED, DECLINED, CLARIFIED]
    december_2 = read_turns(store_url, since=date(2026, 12, 2), until=date(2026, 12, 2))
    assert {t.conversation_id for t in december_2} == {"socketio:bob", "telegram:42"}


def test_the_page_escapes_texts_keeps_them_masked_and_fetches_nothing(written):
    page = (written / "index.html").read_text()
    assert SCRIPT not in page and SCRIPT.lower() not in page
    assert "contact me at [email] &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "jo@example.com" not in page
    assert not re.search(r"https?://", page)  # no CDN, font or image from elsewhere
    assert page.count('<img src="data:image/png;base64,') == 2
    assert "mail me at [email] &lt;script&gt;alert(1)&lt;/script&gt;" in page  # a comment
    assert "    - what is the weather in london?" in page  # NLU lines to paste


def test_every_table_is_a_csv_file(written, report):
    for name, table in report.tables.items():
        with open(written / f"{name}.csv", newline="") as file:
            header, *body = list(csv.reader(file))
        assert header == table.columns
        assert body == [[str(cell) for cell in row] for row in table.rows]
    assert "jo@example.com" not in "".join(p.read_text() for p in written.glob("*.csv"))
    suggestions = (written / "nlu_suggestions.yml").read_text()
    assert "- intent: ask_salary\n  examples: |\n    - how much do they earn?\n" in suggestions


def test_the_report_reads_the_tracker_stores_table():
    ours = {column.name for column in EVENTS.columns}
    assert EVENTS.name == IncrementalSQLTrackerStore.SQLEvent.__tablename__
    assert ours <= {column.name for column in IncrementalSQLTrackerStore.SQLEvent.__table__.c}


def test_a_missing_store_is_named(tmp_path):
    with pytest.raises(StoreError, match="no database file"):
        read_turns(f"sqlite:///{tmp_path / 'none.db'}")


def test_make_report_writes_the_page_for_a_period(store_url, tmp_path):
    out = tmp_path / "report"
    command = [
        sys.executable,
        str(ROOT / "scripts" / "report.py"),
        *("--url", store_url, "--since", "2026-12-02", "--out", str(out)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "2 conversations, 4 messages, groups of unanswered questions: 1;" in done.stdout
    assert (out / "index.html").is_file() and (out / "unanswered.csv").is_file()


def test_make_report_names_a_bad_date():
    command = [sys.executable, str(ROOT / "scripts" / "report.py")]
    done = subprocess.run([*command, "--since", "1 December"], capture_output=True, text=True)
    assert done.returncode == 2 and "not a date (YYYY-MM-DD): '1 December'" in done.stderr


def test_training_examples_are_read_as_plain_text():
    examples = read_nlu_examples()
    assert examples["ask_salary"] and examples["out_of_scope"]
    assert not [e for texts in examples.values() for e in texts if "](" in e or not e]


@pytest.mark.integration
def test_a_question_declined_over_rest_is_among_the_unanswered(tmp_path, career):
    with running_servers(tmp_path) as servers:
        sender = f"report-{uuid.uuid4().hex[:8]}"
        for message in (
            f"how much does a {career.jobs[0].title} earn?",
            "whats the weather doing in bristol",
            "what skills do I need?",
        ):
            reply = requests.post(
                servers.rest_webhook, json={"sender": sender, "message": message}, timeout=30
            )
            assert reply.ok and reply.json(), reply.text
        url = f"sqlite:///{servers.conversations_db}"
        turns = [t for t in read_turns(url) if t.conversation_id == f"rest:{sender}"]
    assert [t.outcome for t in turns] == [ANSWERED, DECLINED, ANSWERED]
    assert all(t.latency and t.latency > 0 for t in turns)
    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "report.py"), "--url", url, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with open(out / "unanswered.csv", newline="") as file:
        unanswered = {row["example"]: row for row in csv.DictReader(file)}
    assert unanswered["whats the weather doing in bristol"]["declined"] == "1"
    assert "whats the weather doing in bristol" in (out / "index.html").read_text()


def test_wordings_past_the_clustering_limit_are_groups_of_their_own(monkeypatch):
    monkeypatch.setattr(unanswered, "MAX_CLUSTERED", 2)
    frequent = ["what is the weather in leeds?", "what's the weather in leeds"]
    declined = [
        Turn("rest:a", "rest", DECEMBER_1, text, "out_of_scope", "", None, None, None, DECLINED)
        for text in frequent * 2 + ["weather leeds?"]
    ]
    groups = unanswered.unanswered_groups(declined, NLU_EXAMPLES)
    assert [(g.count, g.questions) for g in groups] == [(4, frequent), (1, ["weather leeds?"])]


def test_a_large_group_lists_its_ten_most_frequent_wordings():
    wordings = [f"what's the weather in leeds on day {day}?" for day in range(1, 13)]
    declined = [
        Turn("rest:a", "rest", DECEMBER_1, text, "out_of_scope", "", None, None, None, DECLINED)
        for text in wordings + wordings[:1]
    ]
    report = build_report(declined, nlu_examples=NLU_EXAMPLES)
    (group,) = report.groups
    assert (group.count, group.example) == (13, wordings[0])
    assert (
        report.tables["unanswered"]
        .rows[0][-1]
        .endswith(" | ".join(group.shown_questions[-2:]) + " (and 2 more)")
    )
    assert group.nlu_lines().count("\n    - ") == 10


# --- the report on the demo server (web/serve.py) -----------------------------------------

TOKEN = "report-test-token"


def demo_server_module():
    spec = importlib.util.spec_from_file_location("demo_server", ROOT / "web" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def demo_server(store_url, tmp_path) -> Iterator[callable]:
    """Starts web/serve.py's handler on a free port: `start(token)` gives its URL."""
    serve = demo_server_module()
    servers = []

    def start(token: str) -> str:
        report = serve.AdminReport(token=token, store_url=store_url)
        handler = partial(
            serve.DemoPageHandler, b"<!doctype html>", "http://127.0.0.1:1", report,
            directory=str(tmp_path),
        )  # fmt: skip
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_demo_server_serves_the_report_only_with_the_api_token(demo_server, capsys):
    url = demo_server(TOKEN) + "/admin/report"
    for refused in (
        requests.get(url, timeout=30),
        requests.get(url, params={"token": "wrong"}, timeout=30),
        requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=30),
    ):
        assert refused.status_code == 401
        assert "QA manager" not in refused.text
    by_query = requests.get(url, params={"token": TOKEN}, timeout=30)
    by_header = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    for page in (by_query, by_header):
        assert page.status_code == 200
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert page.headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        assert "3 conversations, 8 messages" in page.text
        assert "mail me at [email] &lt;script&gt;" in page.text  # the rating's comment
    access_log = capsys.readouterr().err
    assert "GET /admin/report?token=*** " in access_log
    assert TOKEN not in access_log


def test_the_demo_servers_report_takes_a_period(demo_server):
    url = demo_server(TOKEN) + "/admin/report"
    december_2 = requests.get(url, params={"token": TOKEN, "since": "2026-12-02"}, timeout=30)
    assert "2 conversations, 4 messages" in december_2.text
    bad = requests.get(url, params={"token": TOKEN, "since": "1 December"}, timeout=30)
    assert bad.status_code == 400 and "since is not a date" in bad.text


def test_without_an_api_token_the_demo_server_has_no_report(demo_server):
    url = demo_server("") + "/admin/report"
    assert requests.get(url, timeout=30).status_code == 404
    assert requests.get(url, params={"token": ""}, timeout=30).status_code == 404


def test_the_same_rating_again_without_a_comment_keeps_the_comment():
    events = conversation(
        DECEMBER_1,
        turn("How much does a QA manager earn?", "ask_salary", "action_answer_salary",
             "A quality assurance manager earns ...", DECEMBER_1, 0.2, "salary"),
        rating(NOT_HELPFUL, "A quality assurance manager earns", DECEMBER_1 + 5, "after tax?"),
        rating(NOT_HELPFUL, "A quality assurance manager earns", DECEMBER_1 + 6),
    )  # fmt: skip
    [rated] = turns_of("socketio:carol", [event.as_dict() for event in events])
    assert (rated.rating, rated.rating_comment) == (NOT_HELPFUL, "after tax?")
