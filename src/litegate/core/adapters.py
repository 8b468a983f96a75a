"""``adapter_completion`` / ``aadapter_completion``: ``completion`` behind a caller-defined
request and response format (``litegate.types.adapter.AdapterV1``).

The adapter named by ``adapter_id`` (looked up in ``litegate.adapters``, or ``Client.adapters``)
receives the caller's keyword arguments without litegate's own controls (``mock_response``,
``api_key``, ``num_retries``, ...); its translated parameters go to ``completion`` with those
controls added back (the caller's ``metadata`` merged into the adapter's), so a
``mock_response`` answers the call made *after* the input translation, as the spec's example
expects. The answer's ``_hidden_params["metadata"]`` holds the call's metadata; the adapter's
``translate_completion_output_params`` shapes what is returned.
"""

from __future__ import annotations

from typing import Any

from .params import CONTROL_PARAMS


class AdapterNotFoundError(KeyError):
    """No adapter of this id is registered (also a ``KeyError``, as the spec's example expects)."""


def _find(adapter_id: Any, registry: Any) -> Any:
    from .call import input_error

    if not isinstance(adapter_id, str) or not adapter_id:
        raise input_error(
            f"adapter_id must be the id of a registered adapter, got {adapter_id!r}",
            None,
            type_error=not isinstance(adapter_id, str),
        )
    for item in registry or ():
        if isinstance(item, dict) and item.get("id") == adapter_id:
            adapter = item.get("adapter")
            if adapter is None or not hasattr(adapter, "translate_completion_input_params"):
                raise input_error(
                    f"the adapter registered as {adapter_id!r} has no translate_completion_input_params",
                    None,
                    type_error=True,
                )
            return adapter
    known = [i.get("id") for i in registry or () if isinstance(i, dict)]
    raise AdapterNotFoundError(f"no adapter with id {adapter_id!r} in litegate.adapters (registered: {known})")


def _translate(adapter: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    from .call import input_error

    controls = {k: kwargs.pop(k) for k in list(kwargs) if k in CONTROL_PARAMS and k != "metadata"}
    params = adapter.translate_completion_input_params(kwargs)
    if not isinstance(params, dict) or not params.get("model"):
        raise input_error(
            f"adapter {getattr(adapter, 'id', '?')!r}: translate_completion_input_params must return "
            f"a dict of completion parameters with a 'model', got {type(params).__name__}",
            None,
            type_error=not isinstance(params, dict),
        )
    params = dict(params)
    caller_md = kwargs.get("metadata") if isinstance(kwargs.get("metadata"), dict) else None
    if caller_md:
        params["metadata"] = {**(params.get("metadata") or {}), **caller_md}
    params.update(controls)
    return params


def _output(adapter: Any, response: Any, params: dict[str, Any]) -> Any:
    hidden = getattr(response, "_hidden_params", None)
    if isinstance(hidden, dict) and params.get("metadata") is not None and "metadata" not in hidden:
        hidden["metadata"] = params["metadata"]
    if params.get("stream"):
        return adapter.translate_completion_output_params_streaming(response)
    return adapter.translate_completion_output_params(response)


def adapter_completion(*, adapter_id: str, **kwargs: Any) -> Any:
    """``completion`` through the adapter registered as ``adapter_id``; returns what the adapter's
    ``translate_completion_output_params`` returns."""
    import litegate

    from ..main import completion

    adapter = _find(adapter_id, litegate.adapters)
    params = _translate(adapter, kwargs)
    return _output(adapter, completion(**params), params)


async def aadapter_completion(*, adapter_id: str, **kwargs: Any) -> Any:
    """Async twin of :func:`adapter_completion`."""
    import litegate

    from ..main import acompletion

    adapter = _find(adapter_id, litegate.adapters)
    params = _translate(adapter, kwargs)
    return _output(adapter, await acompletion(**params), params)


__all__ = ["AdapterNotFoundError", "aadapter_completion", "adapter_completion"]
