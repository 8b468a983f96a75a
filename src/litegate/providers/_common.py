"""Rules every translator shares."""

from __future__ import annotations

from typing import Iterable

from ..exceptions import UnsupportedParamsError


def drop_unsupported(provider: str, params: dict, unsupported: Iterable[str], model: str, drop: bool,
                     where: str = "") -> dict:
    """``params`` without the ``unsupported`` ones when ``drop`` is on; otherwise raise
    ``UnsupportedParamsError`` naming them. Returns ``params`` itself when nothing is unsupported."""
    bad = [p for p in unsupported if p in params]
    if not bad:
        return params
    if not drop:
        raise UnsupportedParamsError(
            message=(f"{provider}{where} does not support parameters {bad} for model={model}. "
                     f"Set litegate.drop_params=True (or pass drop_params=True) to drop them."),
            model=model,
            llm_provider=provider,
        )
    return {k: v for k, v in params.items() if k not in bad}


class SSEStreamDecoder:
    """``feed`` / ``finish`` for SSE dialects whose ``_convert(events)`` turns parsed events into
    chunks and may record an error in ``self._error`` instead of raising it: chunks decoded before
    the error in the same read are handed out first and the error is raised on the next call, so
    the result is the same however the bytes are split. A stream that ends before ``done`` is set
    raises ``APIConnectionError`` naming ``end_marker``.

    Subclasses define ``provider``, ``end_marker``, the slots ``_sse`` (an ``SSEDecoder``),
    ``done``, ``model`` and ``_error``, and ``_convert``.
    """

    __slots__ = ()
    provider = "?"
    end_marker = "its end marker"

    def feed(self, data: bytes) -> list:
        if self._error is not None:
            raise self._error
        events = self._sse.feed(data)
        return self._convert(events) if events else []

    def finish(self) -> list:
        if self._error is not None:
            raise self._error
        out = self._convert(self._sse.flush())
        if self._error is not None:
            raise self._error
        if not self.done:
            from ..exceptions import APIConnectionError

            raise APIConnectionError(
                message=f"{self.provider} stream ended before {self.end_marker}: the answer is incomplete",
                llm_provider=self.provider,
                model=self.model,
            )
        return out
