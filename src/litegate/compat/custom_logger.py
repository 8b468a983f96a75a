"""``litellm.integrations.custom_logger.CustomLogger``: a base class for callback objects.

litegate calls the methods an object in ``callbacks`` / ``success_callback`` / ... has
(``log_success_event``, ``async_log_failure_event``, ...); this base gives every one of them as a
no-op, so a subclass overrides only what it needs, as with litellm.
"""

from __future__ import annotations

from typing import Any


class CustomLogger:
    def __init__(self, message_logging: bool = True, **kwargs: Any) -> None:
        self.message_logging = message_logging

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        pass

    def log_post_api_call(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    def log_stream_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    def log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    async def async_log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        pass

    async def async_log_stream_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass

    async def async_log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        pass


__all__ = ["CustomLogger"]
