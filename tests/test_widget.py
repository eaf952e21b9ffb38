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
import requests

from actions.answers import format_money
from reporting.report import build_report
from reporting.turns import read_turns
from tests.servers import ROOT, WIDGET_BUILT, running_servers

pytestmark = pytest.mark.integration
DRIVER = ROOT / "tests" / "widget_driver.mjs"
SCREENSHOTS = ROOT / "results" / "widget"
CHROMIUM = "/usr/bin/chromium"
MARKUP = "<img src=x onerror=alert(1)>"
QUESTION = "how much does a QA manager earn?"
COMMENT = "I wanted the pay after tax"
API_TOKEN = "widget-test-token"  # RASA_AUTH_TOKEN: the demo server's /admin/report needs it


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    assert WIDGET_BUILT, "the widget is not built: run `make widget` (make test does)"
    with running_servers(tmp_path_factory.mktemp("servers"), RASA_AUTH_TOKEN=API_TOKEN) as servers:
        yield servers


@pytest.fixture(scope="module")
def visit(servers, career):
    """One visit, start to finish: what the visitor saw at each step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    plan = {
        "url": servers.web_url,
        "question": QUESTION,
        "comment": COMMENT,
        "quickReply": job_called(career, "assembly technician").title,
        "followUp": "how much does it pay?",
        "markup": MARKUP,
        "reportUrl": f"{servers.web_url}/admin/report?token={API_TOKEN}",
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


def test_each_answer_can_be_rated_but_not_the_greeting(visit):
    assert visit["ratingButtons"] == ["Helpful", "Not helpful"]
    assert visit["greetingRatingButtons"] == 0


def test_not_helpful_takes_a_comment_and_changes_nothing_in_the_conversation(visit, career):
    assert visit["focusAfterNotHelpful"] == "cc-comment-input", "the comment field is next"
    assert visit["afterRating"] == {
        "pressed": ["Not helpful"],
        "shown": "Thanks, your comment was sent.",
        "botMessages": visit["botMessagesBeforeRating"],  # the assistant says nothing
    }
    # "how much does it pay?" is still about the job asked about before the rating.
    assert salary_of(job_called(career, "qa manager")) in "\n".join(visit["afterRatingFollowUp"])


def test_the_rating_is_in_the_next_report_with_its_question_reply_and_comment(
    visit, servers, career
):
    turns = read_turns(f"sqlite:///{servers.conversations_db}")
    rated = build_report(turns).tables["not_helpful"].rows
    [(channel, question, reply, comment)] = [row[1:2] + row[3:] for row in rated]
    assert (channel, question, comment) == ("socketio", QUESTION, COMMENT)
    assert salary_of(job_called(career, "qa manager")) in reply
    # The same report on the demo server, for the API token only.
    report = f"{servers.web_url}/admin/report"
    assert requests.get(report, timeout=60).status_code == 401
    page = requests.get(report, params={"token": API_TOKEN}, timeout=60)
    assert page.status_code == 200
    assert f"<td>{QUESTION}</td>" in page.text and f"<td>{COMMENT}</td>" in page.text


def test_the_report_opens_in_the_browser_without_errors_and_passes_axe(visit):
    report = visit["report"]
    assert report["status"] == 200
    assert report["errors"] == [], "no console errors, nothing blocked by its CSP"
    [rated] = report["notHelpful"]
    assert QUESTION in rated and COMMENT in rated
    assert report["axe"]["rulesPassed"] > 10, "axe ran its rules on the page"
    assert report["axe"]["violations"] == []
    assert (SCREENSHOTS / "report.png").stat().st_size > 0


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


def test_typing_indicator_is_announced_once_while_the_answer_is_on_its_way(visit):
    assert [(t["text"], t["role"]) for t in visit["typing"]["seen"]] == [
        ("Assistant is typing…", "status")
    ]
    assert visit["typing"]["now"] == "", "gone once the answer is there"
    assert visit["typingInLog"] == 0, "outside the log, so the conversation is not read again"


def test_typing_indicator_holds_still_when_motion_is_reduced(visit):
    [moving] = visit["typing"]["seen"]
    [still] = visit["typingReducedMotion"]["seen"]
    assert moving["animation"] != "none"
    assert still["animation"] == "none"


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_axe_finds_no_accessibility_violations(visit, screen):
    """WCAG 2.0/2.1 A and AA and axe's best practices, with the chat open after an answer."""
    axe = visit["axe"][screen]
    assert axe["rulesPassed"] > 20, "axe ran its rules on the page"
    found = [f"{v['rule']} ({v['impact']}): {', '.join(v['elements'])}" for v in axe["violations"]]
    assert not found, "axe violations:\n" + "\n".join(found)


def test_page_loads_nothing_from_other_sites_and_has_no_errors(visit, servers):
    local = {"127.0.0.1", "localhost"}
    assert {urlparse(url).hostname for url in visit["requests"]} <= local
    assert visit["pageErrors"] == []
    assert visit["consoleErrors"] == []


def job_called(career, alias: str):
    return next(job for job in career.jobs if alias in job.aliases)


def salary_of(job) -> str:
    return format_money(job.salary.amount, job.salary.currency)
