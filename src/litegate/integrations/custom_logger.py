"""``CustomLogger``: the base class of callback objects (litellm's hook names and signatures).

Subclass it and override the hooks you need; put the instance in ``litegate.callbacks`` (all
three events), ``success_callback`` or ``failure_callback``. Every hook is a no-op here.

Sync calls run the sync hooks. Async calls run the ``async_`` hook when the subclass overrides
it, else the sync one (a logger written only with sync hooks still hears about async calls).
A hook that raises is logged once and never breaks the call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime


class CustomLogger:
    """Callback object with litellm's hooks (all optional)."""

    # ------------------------------------------------------------------ before / after the request
    def log_pre_api_call(self, model: str, messages: list[Any] | None, kwargs: dict[str, Any]) -> None:
        """The request is built and about to be sent (once per model tried):
        ``kwargs["additional_args"]`` holds it (``complete_input_dict``, ``api_base``, redacted
        ``headers``). To change the request, use an input callback or
        :meth:`async_pre_call_deployment_hook`."""

    def log_post_api_call(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """The provider answered (the stream opened, or the call failed): before the outcome hooks."""

    # ------------------------------------------------------------------ outcome
    def log_stream_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """A stream ended: ``response_obj`` is the whole rebuilt response (before log_success_event)."""

    def log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """The call succeeded (a stream: at its end, with the rebuilt response)."""

    def log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """The call failed: ``response_obj`` is the exception raised to the caller."""

    # ------------------------------------------------------------------ async forms
    async def async_pre_call_deployment_hook(self, kwargs: dict[str, Any], call_type: str) -> dict[str, Any] | None:
        """Async calls, before the request is built: return the kwargs to send (changed
        ``model``, ``messages``, OpenAI parameters, ``metadata``), or None to keep them."""
        return None

    async def async_log_pre_api_call(self, model: str, messages: list[Any] | None, kwargs: dict[str, Any]) -> None:
        """Async form of :meth:`log_pre_api_call`."""

    async def async_log_post_api_call(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Async form of :meth:`log_post_api_call`."""

    async def async_log_stream_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Async form of :meth:`log_stream_event`."""

    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Async form of :meth:`log_success_event`."""

    async def async_log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Async form of :meth:`log_failure_event`."""


__all__ = ["CustomLogger"]
