"""Rasa's fail-safe tracker store, letting a refused turn through instead of answering it
from memory.

Rasa wraps every tracker store in `FailSafeTrackerStore` (rasa/core/agent.py,
`Agent._create_tracker_store`), which catches every exception: a failed `retrieve` gives
None, so the turn starts the conversation again without its context, and a failed `save`
goes to an `InMemoryTrackerStore` of this process, so the user is answered and the turn is
never stored. A 3 s PostgreSQL restart under 20 senders left 36 of 3,000 answered turns
out of the database that way (issue 12).

The wrapper calls its hooks `on_tracker_store_error` and `on_tracker_store_retrieve_error`
inside its `except` block, before falling back. Here both raise a `StoreUnavailable` again
(stores/retry.py: the error the project's tracker store raises once its retries are spent),
so it reaches the channel, which refuses the turn (channels/store_unavailable.py). Every
other error keeps Rasa's behaviour. Only Rasa 3.6's hooks are changed, and only if they are
the ones this module expects; otherwise a warning says the fallback stays.
"""

from __future__ import annotations

import logging

from rasa.core.tracker_store import FailSafeTrackerStore

from stores.retry import StoreUnavailable

logger = logging.getLogger(__name__)

_RASA_ON_ERROR = FailSafeTrackerStore.on_tracker_store_error
_RASA_ON_RETRIEVE_ERROR = FailSafeTrackerStore.on_tracker_store_retrieve_error


def on_tracker_store_error(self: FailSafeTrackerStore, error: Exception) -> None:
    if isinstance(error, StoreUnavailable):
        raise error
    _RASA_ON_ERROR(self, error)


def on_tracker_store_retrieve_error(self: FailSafeTrackerStore, error: Exception) -> None:
    if isinstance(error, StoreUnavailable):
        raise error
    _RASA_ON_RETRIEVE_ERROR(self, error)


def install() -> bool:
    """Let `StoreUnavailable` through FailSafeTrackerStore; False if its hooks are not the
    expected ones (another Rasa version), which then stay."""
    import rasa

    if FailSafeTrackerStore.on_tracker_store_error is on_tracker_store_error:
        return True
    expected = {
        _RASA_ON_ERROR: "FailSafeTrackerStore.on_tracker_store_error",
        _RASA_ON_RETRIEVE_ERROR: "FailSafeTrackerStore.on_tracker_store_retrieve_error",
    }
    if not rasa.__version__.startswith("3.6.") or any(
        hook.__qualname__ != name for hook, name in expected.items()
    ):
        logger.warning(
            "Rasa %s: its fail-safe tracker store keeps falling back to memory when the "
            "database is unavailable.",
            rasa.__version__,
        )
        return False
    FailSafeTrackerStore.on_tracker_store_error = on_tracker_store_error  # type: ignore[method-assign]
    FailSafeTrackerStore.on_tracker_store_retrieve_error = on_tracker_store_retrieve_error  # type: ignore[method-assign]
    return True
