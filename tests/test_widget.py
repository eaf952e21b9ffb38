"""The website widget in a real browser: headless Chromium on a phone-sized screen visits the
demo page that `make run` serves and chats through Rasa's socket.io channel.

tests/widget_driver.mjs drives the browser and reports what a visitor sees; the tests here
check it. Screenshots are kept in results/widget/.
"""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlparse

import pytest

from actions.answers import format_money
from tests.servers import ROOT, WIDGET_BUILT, running_servers

pytestmark = pytest.mark.integration
DRIVER = ROOT / "tests" / "widget_driver.mjs"
SCREENSHOTS = ROOT / "results" / "widget"
CHROMIUM = "/usr/bin/chromium"
MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    assert WIDGET_BUILT, "the widget is not built: run `make widget` (make test does)"
    with running_servers(tmp_path_factory.mktemp("servers")) as servers:
        yield servers


@pytest.fixture(scope="module")
def visit(servers, career):
    """One visit, start to finish: what the visitor saw at each step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    plan = {
        "url": servers.web_url,
        "question": "how much does a QA manager earn?",
        "quickReply": job_called(career, "assembly technician").title,
        "followUp": "how much does it pay?",
        "markup": MARKUP,
        "screenshots": str(SCREENSHOTS),
        "chromium": CHROMIUM,
    }
    run = subprocess.run(
        ["node", str(DRIVER), json.dumps(plan)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, f"{run.stderr}\n--- servers ---\n{servers.log_tail()}"
    return json.loads(run.stdout)


def test_salary_question_shows_the_figure(visit, career):
    assert visit["greeting"], "the assistant greets when the chat opens"
    assert salary_of(job_called(career, "qa manager")) in "\n".join(visit["answer"])


def test_quick_replies_are_buttons_that_answer(visit, career):
    assembly = job_called(career, "assembly technician")
    assert assembly.title in visit["quickReplies"]
    assert visit["afterQuickReply"]["userText"] == assembly.title
    assert salary_of(assembly) in "\n".join(visit["afterQuickReply"]["replies"])


def test_conversation_survives_a_reload(visit, career):
    assert visit["transcriptAfterReload"] == visit["transcriptBeforeReload"]
    assert visit["openAfterReload"]
    # Rasa kept the conversation too: "it" is still the job from before the reload.
    assembly = job_called(career, "assembly technician")
    assert salary_of(assembly) in "\n".join(visit["followUp"])


def test_markup_in_a_message_is_shown_as_text_and_runs_nothing(visit):
    assert visit["markup"]["userText"] == MARKUP
    assert "img" not in visit["markup"]["elementsInLog"]
    assert visit["markupReplies"], "the assistant still answers"
    assert visit["dialogs"] == []
    assert not [url for url in visit["requests"] if urlparse(url).path == "/x"]


def test_usable_with_the_keyboard(visit):
    assert visit["focusAfterOpen"] == "cc-input", "opening the chat puts the cursor in the field"
    assert visit["focusAfterShiftTab"] == "cc-reply", "quick replies are reachable with Tab"
    assert visit["afterEscape"] == {"panelVisible": False, "focusOnLauncher": True}


def test_readable_on_a_phone(visit):
    layout = visit["layout"]
    viewport, panel = layout["viewport"], layout["panel"]
    assert panel["left"] >= 0 and panel["top"] >= 0
    assert panel["right"] <= viewport["width"] and panel["bottom"] <= viewport["height"]
    assert layout["pageScrollWidth"] <= viewport["width"], "no sideways scrolling"
    assert layout["inputFontPx"] >= 16, "phones zoom into smaller text fields"
    assert (SCREENSHOTS / "conversation.png").stat().st_size > 0


def test_page_loads_nothing_from_other_sites_and_has_no_errors(visit, servers):
    local = {"127.0.0.1", "localhost"}
    assert {urlparse(url).hostname for url in visit["requests"]} <= local
    assert visit["pageErrors"] == []
    assert visit["consoleErrors"] == []


def job_called(career, alias: str):
    return next(job for job in career.jobs if alias in job.aliases)


def salary_of(job) -> str:
    return format_money(job.salary.amount, job.salary.currency)
