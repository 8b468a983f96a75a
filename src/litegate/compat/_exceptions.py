"""Exception classes litellm exports that litegate never raises itself (``except litellm.X``
clauses and aider's exception list need them)."""

from __future__ import annotations

from typing import Any

from ..exceptions import BadRequestError as _BadRequestError  # noqa: E402
from ..exceptions import OpenAIError as _OpenAIError  # noqa: E402


class AzureOpenAIError(_OpenAIError):
    """litellm's Azure error class (litegate raises the mapped classes instead: ``RateLimitError``, ...)."""

    def __init__(
        self,
        status_code: int = 500,
        message: str = "Azure OpenAI error",
        request: Any = None,
        response: Any = None,
        headers: Any = None,
        **kw: Any,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.headers = headers


class ImageFetchError(_BadRequestError):
    """An image URL in the messages could not be fetched (litegate never fetches images itself)."""


try:  # the Router defines its own when it is part of this build
    from ..exceptions import RouterRateLimitError  # type: ignore[attr-defined]  # noqa: F401
except ImportError:

    class RouterRateLimitError(ValueError):  # type: ignore[no-redef]
        """Every deployment of a model is cooling down (litellm's Router error)."""

        def __init__(
            self,
            model: str = "",
            cooldown_time: float = 0.0,
            enable_pre_call_checks: bool = False,
            cooldown_list: Any = None,
        ) -> None:
            self.model = model
            self.cooldown_time = cooldown_time
            self.enable_pre_call_checks = enable_pre_call_checks
            self.cooldown_list = cooldown_list or []
            super().__init__(
                f"No deployments available for selected model. Try again in {cooldown_time} seconds. "
                f"Passed model={model}."
            )


__all__ = ["AzureOpenAIError", "ImageFetchError", "RouterRateLimitError"]
