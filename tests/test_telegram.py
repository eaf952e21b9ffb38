"""Telegram end to end, without the internet.

Rasa runs with the Telegram channel (channels/telegram.py) pointed at a local fake of the Bot
API (tests/fake_telegram.py). The test posts updates to Rasa's webhook as Telegram would and
checks the messages the bot sends back through the API.
"""

from __future__ import annotations

import itertools
import json
import random
import time

import pytest
import requests

from actions import answers
from actions.answers import format_money
from channels.telegram import SECRET_HEADER
from reporting.report import build_report
from reporting.turns import read_turns
from tests.fake_telegram import FakeTelegram
from tests.servers import running_servers

pytestmark = pytest.mark.integration
TOKEN = "123456789:fake-token-for-tests"
BOT_USERNAME = "careers_test_bot"
SECRET = f"secret_{random.getrandbits(64):x}"
WEBHOOK_URL = "https://careers.example.org/webhooks/telegram/webhook"
QUESTION = "how much does a QA manager earn?"


@pytest.fixture(scope="module")
def telegram():
    with FakeTelegram(TOKEN, BOT_USERNAME) as fake:
        yield fake


@pytest.fixture(scope="module")
def servers(telegram, tmp_path_factory):
    with running_servers(
        tmp_path_factory.mktemp("servers"),
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_BOT_USERNAME=BOT_USERNAME,
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM_SECRET_TOKEN=SECRET,
        TELEGRAM_API_URL=telegram.url,
    ) as servers:
        yield servers


@pytest.fixture(scope="module")
def webhook(servers):
    return f"{servers.rasa_url}/webhooks/telegram/webhook"


def test_bot_registers_its_webhook_with_the_secret(webhook, telegram):
    [registration] = telegram.calls_to("setWebhook")
    assert registration["url"] == WEBHOOK_URL
    assert registration["secret_token"] == SECRET


def test_salary_question_gets_the_figure_and_a_keyboard(webhook, telegram, career):
    qa_manager = job_called(career, "qa manager")
    chat = new_chat()
    send_text(webhook, chat, QUESTION)

    figure = format_money(qa_manager.salary.amount, qa_manager.salary.currency)
    [reply] = [m for m in telegram.messages_to(chat) if figure in m["text"]]
    *rows, rating = keyboard(reply)
    assert all(len(row) == 1 for row in rows), "one button per row"
    titles = [button["text"] for row in rows for button in row]
    assert {job.title for job in career.jobs if job != qa_manager} <= set(titles)
    assert [button["text"] for button in rating] == ["Helpful", "Not helpful"]


def test_not_helpful_says_nothing_changes_nothing_and_the_report_lists_it(
    servers, webhook, telegram, career
):
    qa_manager = job_called(career, "qa manager")
    figure = format_money(qa_manager.salary.amount, qa_manager.salary.currency)
    chat = new_chat()
    send_text(webhook, chat, QUESTION)
    [reply] = [m for m in telegram.messages_to(chat) if figure in m["text"]]
    not_helpful = keyboard(reply)[-1][1]["callback_data"]

    assert replies_to(webhook, telegram, chat, press_update(chat, not_helpful, reply["text"])) == []
    follow_up = replies_to(webhook, telegram, chat, text_update(chat, "how much does it pay?"))
    assert figure in "\n".join(follow_up), "still about the job asked about"

    turns = read_turns(f"sqlite:///{servers.conversations_db}")
    rated = build_report(turns).tables["not_helpful"].rows
    assert [row[1:] for row in rated] == [
        ["telegram", f"telegram:{chat}", QUESTION, reply["text"], ""]
    ]


def test_pressing_a_button_answers_it(webhook, telegram, career):
    assembly = job_called(career, "assembly technician")
    chat = new_chat()
    send_text(webhook, chat, QUESTION)
    button = next(b for b in buttons_sent(telegram, chat) if b["text"] == assembly.title)

    replies = replies_to(webhook, telegram, chat, press_update(chat, button["callback_data"]))
    assert format_money(assembly.salary.amount, assembly.salary.currency) in "\n".join(replies)


def test_button_whose_payload_is_over_telegrams_64_bytes_works(webhook, telegram, career):
    pathway, long_button = next(
        (p, b)
        for p in career.pathways
        for b in answers.pathway(career, p).buttons
        if len(b["payload"].encode()) > 64
    )
    chat = new_chat()
    send_text(
        webhook, chat, answers.button(pathway.name, "ask_pathway", pathway=pathway.id)["payload"]
    )
    button = next(b for b in buttons_sent(telegram, chat) if b["text"] == long_button["title"])
    assert len(button["callback_data"].encode()) <= 64

    pressed = replies_to(webhook, telegram, chat, press_update(chat, button["callback_data"]))
    typed_chat = new_chat()
    typed = replies_to(
        webhook, telegram, typed_chat, text_update(typed_chat, long_button["payload"])
    )
    assert pressed and pressed == typed


def test_a_long_button_of_an_older_message_still_works(webhook, telegram, career):
    # The tracker Rasa works on holds only the latest turn (stores/tracker_store.py); the
    # button's payload is looked up in the whole stored conversation.
    pathway, long_button = next(
        (p, b)
        for p in career.pathways
        for b in answers.pathway(career, p).buttons
        if len(b["payload"].encode()) > 64
    )
    chat = new_chat()
    send_text(
        webhook, chat, answers.button(pathway.name, "ask_pathway", pathway=pathway.id)["payload"]
    )
    button = next(b for b in buttons_sent(telegram, chat) if b["text"] == long_button["title"])
    for later_question in [QUESTION, "what does an assembly technician do?"]:
        send_text(webhook, chat, later_question)

    pressed = replies_to(webhook, telegram, chat, press_update(chat, button["callback_data"]))
    typed_chat = new_chat()
    typed = replies_to(
        webhook, telegram, typed_chat, text_update(typed_chat, long_button["payload"])
    )
    assert pressed and pressed == typed


@pytest.mark.parametrize("secret", [None, "wrong-secret"], ids=["no secret", "wrong secret"])
def test_updates_without_the_right_secret_are_refused(webhook, telegram, secret):
    chat = new_chat()
    response = post_update(webhook, text_update(chat, QUESTION), secret=secret)
    assert response.status_code == 403
    time.sleep(1)
    assert telegram.messages_to(chat) == []


# --- helpers -------------------------------------------------------------------------------

_update_ids = itertools.count(1)


def new_chat() -> int:
    return random.randrange(10**8, 10**9)


def text_update(chat: int, text: str) -> dict:
    return {"update_id": next(_update_ids), "message": _message(chat, text)}


def press_update(
    chat: int, callback_data: str, message_text: str = "(the bot's message with the keyboard)"
) -> dict:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": _user(chat),
            "chat_instance": str(chat),
            "data": callback_data,
            "message": _message(chat, message_text),
        },
    }


def _message(chat: int, text: str) -> dict:
    return {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private", "first_name": "Test"},
        "from": _user(chat),
        "text": text,
    }


def _user(chat: int) -> dict:
    return {"id": chat, "is_bot": False, "first_name": "Test"}


def post_update(webhook: str, update: dict, secret: str | None = SECRET) -> requests.Response:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return requests.post(webhook, json=update, headers=headers, timeout=30)


def send_text(webhook: str, chat: int, text: str) -> None:
    assert post_update(webhook, text_update(chat, text)).status_code == 200


def replies_to(webhook: str, telegram: FakeTelegram, chat: int, update: dict) -> list[str]:
    """Texts the bot sends to `chat` in answer to `update` (Rasa answers before it returns)."""
    before = len(telegram.messages_to(chat))
    assert post_update(webhook, update).status_code == 200
    return [m["text"] for m in telegram.messages_to(chat)[before:]]


def keyboard(message: dict) -> list[list[dict]]:
    return json.loads(message["reply_markup"])["inline_keyboard"]


def buttons_sent(telegram: FakeTelegram, chat: int) -> list[dict]:
    return [
        button
        for message in telegram.messages_to(chat)
        if message.get("reply_markup")
        for row in keyboard(message)
        for button in row
    ]


def job_called(career, alias: str):
    return next(job for job in career.jobs if alias in job.aliases)
