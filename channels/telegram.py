"""Rasa's Telegram connector, locked down and testable without the internet.

- An update must carry the secret token the webhook was registered with
  (`X-Telegram-Bot-Api-Secret-Token`); any other request to the channel gets a 403, so only
  Telegram can post as a user.
- `api_url` points the bot at another Bot API server: a local fake in the tests, or a
  self-hosted Bot API server.
- Buttons are an inline keyboard with one button per row, readable on a phone. A Rasa
  payload longer than the 64 bytes Telegram allows in `callback_data`
  (`/ask_pathway_entry_requirements{"pathway":...}`) travels as a key derived from it; on a
  press, the key is matched against the buttons of the bot's messages in the whole stored
  conversation (the tracker store), so it works after a restart, on any replica, and for a
  button of an older message, which the tracker Rasa works on (the latest turn) lacks.
- Every reply ends with a row of two buttons, "Helpful" and "Not helpful" (the widget's
  rating, actions/feedback.py); a press is a `/feedback{...}` message whose metadata names
  the rated message by its text, which Telegram sends back with the press.
- The webhook is registered once, at start-up. Rasa's connector registers it whenever it
  builds an output channel, with `asyncio.run`, which fails inside the running server.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional

import aiohttp
from aiogram import Bot
from aiogram.bot import api
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels import telegram as rasa_telegram
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, Event
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.feedback import is_feedback, rated_reply_metadata, rating_buttons
from channels.limits import ChannelLimits

TELEGRAM_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's rule for a webhook secret_token.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
CALLBACK_DATA_BYTES = 64
CALLBACK_KEY_PREFIX = "btn:"


def callback_data(payload: str) -> str:
    """The payload itself if Telegram takes it, else a key derived from it."""
    if len(payload.encode()) <= CALLBACK_DATA_BYTES:
        return payload
    return CALLBACK_KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:32]


def payload_for_key(key: str, events: Iterable[Event]) -> Optional[str]:
    """The payload of the bot's button sent as `key`, latest message first."""
    for event in reversed(list(events)):
        if isinstance(event, BotUttered):
            for button in event.data.get("buttons") or []:
                if callback_data(button["payload"]) == key:
                    return button["payload"]
    return None


class TelegramOutput(rasa_telegram.TelegramOutput):
    def __init__(
        self, access_token: str, api_url: str = TELEGRAM_API_URL, secret_token: str = ""
    ) -> None:
        # Rasa's __init__ cannot pass aiogram the API server, so initialise the Bot directly.
        Bot.__init__(self, access_token, server=api.TelegramAPIServer.from_base(api_url))
        self.secret_token = secret_token

    async def set_webhook(self, url: str, **_: Any) -> bool:
        # aiogram 2.15 predates `secret_token` (Bot API 6.1): send the method ourselves.
        return await self.request(
            api.Methods.SET_WEBHOOK, {"url": url, "secret_token": self.secret_token}
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # One Telegram message per paragraph, as Rasa's; the last carries the rating.
        *paragraphs, last = text.strip().split("\n\n")
        for paragraph in paragraphs:
            await self.send_message(recipient_id, paragraph)
        await self.send_message(recipient_id, last, reply_markup=keyboard([]))

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: List[Dict[str, Any]],
        button_type: Optional[str] = "vertical",
        **kwargs: Any,
    ) -> None:
        await self.send_message(recipient_id, text, reply_markup=keyboard(buttons))


def keyboard(buttons: List[Dict[str, Any]]) -> InlineKeyboardMarkup:
    """One row per button, readable on a phone, then the two rating buttons side by side."""
    markup = InlineKeyboardMarkup()
    for button in buttons:
        markup.row(
            InlineKeyboardButton(button["title"], callback_data=callback_data(button["payload"]))
        )
    markup.row(
        *(InlineKeyboardButton(b["title"], callback_data=b["payload"]) for b in rating_buttons())
    )
    return markup


class TelegramInput(ChannelLimits, rasa_telegram.TelegramInput):
    secret_token: str = ""
    api_url: str = TELEGRAM_API_URL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        secret = str(credentials.get("secret_token") or "")
        if not SECRET_TOKEN.fullmatch(secret):
            raise RasaException(
                "The Telegram channel needs `secret_token` (TELEGRAM_SECRET_TOKEN): 1 to 256 "
                "characters from A-Z, a-z, 0-9, _ and -."
            )
        channel.secret_token = secret
        channel.api_url = credentials.get("api_url") or TELEGRAM_API_URL
        return channel

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token, self.api_url, self.secret_token)

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        """A rating names the message whose button was pressed: Telegram sends it along."""
        update = request.json if isinstance(request.json, dict) else {}
        press = update.get("callback_query") or {}
        if not is_feedback(str(press.get("data") or "")):
            return None
        return rated_reply_metadata(str((press.get("message") or {}).get("text") or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Fail at start-up, as Rasa's connector does, if Telegram refuses the webhook.
        asyncio.run(self._register_webhook())

        async def with_button_payload(message: UserMessage) -> None:
            if message.text and message.text.startswith(CALLBACK_KEY_PREFIX):
                # Every session: the store's `retrieve` gives only the latest turn.
                store = self.app.ctx.agent.tracker_store
                tracker = await store.retrieve_full_tracker(message.sender_id)
                events = tracker.events if tracker else []
                message.text = payload_for_key(message.text, events) or message.text
            await on_new_message(message)

        webhook = super().blueprint(with_button_payload)
        # Decorator forms: Sanic 21.12 drops a bound method passed as `on_request(handler)`.
        webhook.middleware("request")(self._refuse_without_secret)
        webhook.listener("before_server_start")(self._keep_app)
        return webhook

    async def _keep_app(self, app: Sanic, _: Any) -> None:
        self.app = app  # for its agent's tracker store

    async def _register_webhook(self) -> None:
        bot = self.get_output_channel()
        try:
            await bot.set_webhook(self.webhook_url)
        except (TelegramAPIError, aiohttp.ClientError) as error:
            raise RasaException(
                f"Telegram did not accept the webhook {self.webhook_url}: {error}"
            ) from error
        finally:
            await bot.session.close()  # it belongs to this start-up event loop

    async def _refuse_without_secret(self, request: Request) -> Optional[HTTPResponse]:
        given = request.headers.get(SECRET_HEADER, "")
        if hmac.compare_digest(given.encode(), self.secret_token.encode()):
            return None
        return response.text(f"Missing or wrong {SECRET_HEADER}.", status=403)
