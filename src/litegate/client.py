"""``litegate.Client``: an instance that holds its own settings, transport and callbacks.

The module-level functions (``litegate.completion`` ...) are a facade over a default client whose
settings are the module's attributes, read at call time. A ``Client(...)`` instead keeps its own
values: two clients in two threads never see each other's settings, nor changes made to the module.
"""

from __future__ import annotations

import inspect
from typing import Any

from . import constants as C
from .core import pipeline
from .core.call import (build_chat_call, build_embedding_call, build_image_call, build_moderation_call,
                        build_rerank_call, build_text_call)
from .core.transport import Transport, default_transport


class Settings:
    """A client's own settings (attribute names as on the ``litegate`` module)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:  # unknown settings read as None, like unset ones
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __repr__(self) -> str:
        from .core.redact import redact

        shown = {k: ("****" if ("key" in k or "token" in k) and v else v) for k, v in self.__dict__.items()}
        return redact(f"Settings({shown})")


_DEFAULTS: dict[str, Any] = {
    "num_retries": C.DEFAULT_MAX_RETRIES,
    "request_timeout": C.DEFAULT_REQUEST_TIMEOUT,
    "stream_timeout": None,
    "drop_params": False,
    "model_alias_map": {},
    "input_callback": [],
    "success_callback": [],
    "failure_callback": [],
    "callbacks": [],
    "turn_off_message_logging": False,
}


def _known_setting(module: Any, name: str) -> bool:
    if name.startswith("_"):
        return False
    if hasattr(module, name) and not callable(getattr(module, name)) and name not in module._LAZY:
        return True
    from .core.resolve import all_key_settings

    return name in all_key_settings()


class Client:
    """Same methods as the module (``completion``, ``acompletion``, ``embedding``, ``aembedding``).

    Settings not given are unset (credentials then come from environment variables), never from
    the module-level settings. ``http_backend`` picks the transport ("pyreqwest" or "httpx";
    default: the fastest available).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        api_base: str | None = None,
        api_version: str | None = None,
        organization: str | None = None,
        num_retries: int | None = None,
        timeout: float | None = None,
        stream_timeout: float | None = None,
        drop_params: bool | None = None,
        model_alias_map: dict | None = None,
        input_callback: list | None = None,
        success_callback: list | None = None,
        failure_callback: list | None = None,
        callbacks: list | None = None,
        http_backend: str | None = None,
        **settings: Any,
    ):
        import litegate

        values = {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
                  for k, v in _DEFAULTS.items()}
        given = {
            "api_key": api_key, "api_base": api_base, "api_version": api_version,
            "organization": organization, "num_retries": num_retries, "request_timeout": timeout,
            "stream_timeout": stream_timeout, "drop_params": drop_params, "model_alias_map": model_alias_map,
            "input_callback": input_callback, "success_callback": success_callback,
            "failure_callback": failure_callback, "callbacks": callbacks,
        }
        for name, value in settings.items():
            if not _known_setting(litegate, name):
                raise TypeError(f"Client() got an unknown setting {name!r}")
            given[name] = value
        values.update({k: v for k, v in given.items() if v is not None})
        self.settings: Any = Settings(values)
        self.transport = Transport(http_backend)

    # ------------------------------------------------------------------ chat
    def completion(self, model: Any = None, messages: Any = None, **kwargs: Any) -> Any:
        call = build_chat_call(model, messages, kwargs)
        return pipeline.execute(call, self.settings, self.transport, "chat", "completion")

    async def acompletion(self, model: Any = None, messages: Any = None, **kwargs: Any) -> Any:
        call = build_chat_call(model, messages, kwargs)
        return await pipeline.aexecute(call, self.settings, self.transport, "chat", "acompletion")

    # ------------------------------------------------------------------ embeddings
    def embedding(self, model: Any = None, input: Any = None, **kwargs: Any) -> Any:
        call = build_embedding_call(model, input, kwargs)
        return pipeline.execute(call, self.settings, self.transport, "embedding", "embedding")

    async def aembedding(self, model: Any = None, input: Any = None, **kwargs: Any) -> Any:
        call = build_embedding_call(model, input, kwargs)
        return await pipeline.aexecute(call, self.settings, self.transport, "embedding", "aembedding")

    # ------------------------------------------------------------------ legacy text completions
    def text_completion(self, model: Any = None, prompt: Any = None, **kwargs: Any) -> Any:
        call = build_text_call(model, prompt, kwargs)
        return pipeline.execute(call, self.settings, self.transport, "text", "text_completion")

    async def atext_completion(self, model: Any = None, prompt: Any = None, **kwargs: Any) -> Any:
        call = build_text_call(model, prompt, kwargs)
        return await pipeline.aexecute(call, self.settings, self.transport, "text", "atext_completion")

    # ------------------------------------------------------------------ images, moderation
    def image_generation(self, prompt: Any = None, model: Any = None, **kwargs: Any) -> Any:
        call = build_image_call(model, prompt, kwargs)
        return pipeline.execute(call, self.settings, self.transport, "image", "image_generation")

    async def aimage_generation(self, prompt: Any = None, model: Any = None, **kwargs: Any) -> Any:
        call = build_image_call(model, prompt, kwargs)
        return await pipeline.aexecute(call, self.settings, self.transport, "image", "aimage_generation")

    def moderation(self, input: Any = None, model: Any = None, **kwargs: Any) -> Any:
        call = build_moderation_call(model, input, kwargs)
        return pipeline.execute(call, self.settings, self.transport, "moderation", "moderation")

    async def amoderation(self, input: Any = None, model: Any = None, **kwargs: Any) -> Any:
        call = build_moderation_call(model, input, kwargs)
        return await pipeline.aexecute(call, self.settings, self.transport, "moderation", "amoderation")

    # ------------------------------------------------------------------ rerank
    def rerank(self, model: Any = None, query: Any = None, documents: Any = None, **kwargs: Any) -> Any:
        call = build_rerank_call(model, query, documents, kwargs)
        return pipeline.execute(call, self.settings, self.transport, "rerank", "rerank")

    async def arerank(self, model: Any = None, query: Any = None, documents: Any = None, **kwargs: Any) -> Any:
        call = build_rerank_call(model, query, documents, kwargs)
        return await pipeline.aexecute(call, self.settings, self.transport, "rerank", "arerank")

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.transport.close()

    async def aclose(self) -> None:
        await self.transport.aclose()
        self.transport.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"litegate.Client({self.settings!r})"


class _ModuleClient(Client):
    """The default client behind the module-level functions: settings are the module itself."""

    def __init__(self) -> None:  # noqa: D401 - no per-instance settings
        import litegate

        self.settings = litegate
        self.transport = default_transport()


_default: Client | None = None


def default_client() -> Client:
    global _default
    if _default is None:
        _default = _ModuleClient()
    return _default


def _copy_signature(source: Any, target: Any) -> None:
    sig = inspect.signature(source)
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD), *sig.parameters.values()]
    target.__signature__ = sig.replace(parameters=params)
    target.__doc__ = source.__doc__
