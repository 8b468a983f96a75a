"""``litegate.Client``: an instance that holds its own settings, transport and callbacks.

The module-level functions (``litegate.completion`` ...) are a facade over a default client whose
settings are the module's attributes, read at call time. A ``Client(...)`` instead keeps its own
values: two clients in two threads never see each other's settings, nor changes made to the module.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from . import constants as C
from .core import lifecycle
from .core.endpoints import ENDPOINTS, Endpoint, bind
from .core.transport import Transport, default_transport

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Mapping
    from typing import Concatenate, ParamSpec, TypeVar

    from . import main as _main

    _P = ParamSpec("_P")
    _R = TypeVar("_R")

    def _as_method(fn: Callable[_P, _R]) -> Callable[Concatenate[Client, _P], _R]:
        """A module function's parameters and return type (overloads included), as a method."""
        ...

    def _as_async_method(fn: Callable[_P, _R]) -> Callable[Concatenate[Client, _P], Coroutine[Any, Any, _R]]:
        """The async twin of a module function (one signature, no overloads), as a method."""
        ...


class Settings:
    """A client's own settings (attribute names as on the ``litegate`` module)."""

    def __init__(self, values: dict[str, Any]):
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:  # unknown settings read as None, like unset ones
        if name.startswith("__"):
            raise AttributeError(name)
        return None

    def __repr__(self) -> str:
        from .core.redact import is_secret_name, redact

        # credentials by name; every other value (an api_base with "user:password@", a key in
        # a header dict) through redact
        shown = {k: ("****" if v and is_secret_name(k) else v) for k, v in self.__dict__.items()}
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
    """Same call methods as the module, one per row of the endpoint table (core/endpoints.py):
    ``completion``, ``embedding``, ``text_completion``, ``image_generation``, ``moderation``,
    ``rerank`` and their ``a...`` async twins.

    Settings not given are unset (credentials then come from environment variables), never from
    the module-level settings. ``http_backend`` picks the transport ("pyreqwest" or "httpx";
    default: the fastest available); ``transport`` gives one (e.g. ``MockTransport(handler)``).
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
        model_alias_map: Mapping[str, str] | None = None,
        input_callback: list[Any] | None = None,
        success_callback: list[Any] | None = None,
        failure_callback: list[Any] | None = None,
        callbacks: list[Any] | None = None,
        http_backend: str | None = None,
        transport: Any = None,
        **settings: Any,
    ) -> None:
        import litegate

        values = {
            k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v) for k, v in _DEFAULTS.items()
        }
        given = {
            "api_key": api_key,
            "api_base": api_base,
            "api_version": api_version,
            "organization": organization,
            "num_retries": num_retries,
            "request_timeout": timeout,
            "stream_timeout": stream_timeout,
            "drop_params": drop_params,
            "model_alias_map": model_alias_map,
            "input_callback": input_callback,
            "success_callback": success_callback,
            "failure_callback": failure_callback,
            "callbacks": callbacks,
        }
        for name, value in settings.items():
            if not _known_setting(litegate, name):
                raise TypeError(f"Client() got an unknown setting {name!r}")
            given[name] = value
        values.update({k: v for k, v in given.items() if v is not None})
        self.settings: Any = Settings(values)
        if transport is not None and http_backend is not None:
            raise TypeError("Client() takes http_backend or transport, not both")
        # any object with send / open_stream / asend / aopen_stream (see core/transport.py), e.g.
        # litegate.MockTransport(handler) in tests
        self.transport = transport if transport is not None else Transport(http_backend)

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.transport.close()

    async def aclose(self) -> None:
        await self.transport.aclose()
        self.transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"litegate.Client({self.settings!r})"

    if TYPE_CHECKING:
        # The call methods are made from the endpoint table (below the class), one pair per row;
        # type checkers see the module functions' parameters and return types, overloads included.
        completion = _as_method(_main.completion)
        acompletion = _as_method(_main.acompletion)
        embedding = _as_method(_main.embedding)
        aembedding = _as_async_method(_main.embedding)
        text_completion = _as_method(_main.text_completion)
        atext_completion = _as_method(_main.atext_completion)
        image_generation = _as_method(_main.image_generation)
        aimage_generation = _as_method(_main.aimage_generation)
        moderation = _as_method(_main.moderation)
        amoderation = _as_method(_main.amoderation)
        rerank = _as_method(_main.rerank)
        arerank = _as_async_method(_main.rerank)
        transcription = _as_method(_main.transcription)
        atranscription = _as_method(_main.atranscription)
        speech = _as_method(_main.speech)
        aspeech = _as_async_method(_main.speech)
        # files, batches, fine-tuning and assistants (core/platform.py): made at run time from the
        # platform's operation table, with no static signatures yet
        create_file: Callable[..., Any]
        acreate_file: Callable[..., Any]
        list_files: Callable[..., Any]
        alist_files: Callable[..., Any]
        file_list: Callable[..., Any]
        afile_list: Callable[..., Any]
        retrieve_file: Callable[..., Any]
        aretrieve_file: Callable[..., Any]
        file_retrieve: Callable[..., Any]
        afile_retrieve: Callable[..., Any]
        delete_file: Callable[..., Any]
        adelete_file: Callable[..., Any]
        file_delete: Callable[..., Any]
        afile_delete: Callable[..., Any]
        retrieve_file_content: Callable[..., Any]
        aretrieve_file_content: Callable[..., Any]
        file_content: Callable[..., Any]
        afile_content: Callable[..., Any]
        create_fine_tuning_job: Callable[..., Any]
        acreate_fine_tuning_job: Callable[..., Any]
        list_fine_tuning_jobs: Callable[..., Any]
        alist_fine_tuning_jobs: Callable[..., Any]
        retrieve_fine_tuning_job: Callable[..., Any]
        aretrieve_fine_tuning_job: Callable[..., Any]
        cancel_fine_tuning_job: Callable[..., Any]
        acancel_fine_tuning_job: Callable[..., Any]
        list_fine_tuning_job_events: Callable[..., Any]
        alist_fine_tuning_job_events: Callable[..., Any]
        create_batch: Callable[..., Any]
        acreate_batch: Callable[..., Any]
        retrieve_batch: Callable[..., Any]
        aretrieve_batch: Callable[..., Any]
        cancel_batch: Callable[..., Any]
        acancel_batch: Callable[..., Any]
        list_batches: Callable[..., Any]
        alist_batches: Callable[..., Any]
        get_assistants: Callable[..., Any]
        aget_assistants: Callable[..., Any]
        list_assistants: Callable[..., Any]
        alist_assistants: Callable[..., Any]
        create_assistants: Callable[..., Any]
        acreate_assistants: Callable[..., Any]
        create_assistant: Callable[..., Any]
        acreate_assistant: Callable[..., Any]
        retrieve_assistants: Callable[..., Any]
        aretrieve_assistants: Callable[..., Any]
        retrieve_assistant: Callable[..., Any]
        aretrieve_assistant: Callable[..., Any]
        delete_assistant: Callable[..., Any]
        adelete_assistant: Callable[..., Any]
        create_thread: Callable[..., Any]
        acreate_thread: Callable[..., Any]
        get_thread: Callable[..., Any]
        aget_thread: Callable[..., Any]
        retrieve_thread: Callable[..., Any]
        aretrieve_thread: Callable[..., Any]
        delete_thread: Callable[..., Any]
        adelete_thread: Callable[..., Any]
        add_message: Callable[..., Any]
        aadd_message: Callable[..., Any]
        create_message: Callable[..., Any]
        acreate_message: Callable[..., Any]
        get_messages: Callable[..., Any]
        aget_messages: Callable[..., Any]
        list_messages: Callable[..., Any]
        alist_messages: Callable[..., Any]
        run_thread: Callable[..., Any]
        arun_thread: Callable[..., Any]
        create_run: Callable[..., Any]
        acreate_run: Callable[..., Any]
        run_thread_stream: Callable[..., Any]
        arun_thread_stream: Callable[..., Any]
        retrieve_run: Callable[..., Any]
        aretrieve_run: Callable[..., Any]
        list_runs: Callable[..., Any]
        alist_runs: Callable[..., Any]
        submit_tool_outputs: Callable[..., Any]
        asubmit_tool_outputs: Callable[..., Any]
        submit_tool_outputs_to_run: Callable[..., Any]
        asubmit_tool_outputs_to_run: Callable[..., Any]
        list_run_steps: Callable[..., Any]
        alist_run_steps: Callable[..., Any]
        retrieve_run_step: Callable[..., Any]
        aretrieve_run_step: Callable[..., Any]


def _call_methods(ep: Endpoint) -> tuple[Any, Any]:
    """The sync and async methods of one endpoint row."""

    execute, aexecute, validate = lifecycle.execute, lifecycle.aexecute, ep.validate
    call_type, acall_type = ep.call_type, "a" + ep.call_type
    first, second = (ep.positional + ("", ""))[:2]

    if len(ep.positional) == 2:  # the common shape: bind without the general binder

        def method(self: Client, *args: Any, **kwargs: Any) -> Any:
            if len(args) == 2 and first not in kwargs and second not in kwargs:
                call = validate(args[0], args[1], kwargs)
            else:
                call = bind(ep, args, kwargs)
            return execute(call, self.settings, self.transport, ep, call_type)

        async def amethod(self: Client, *args: Any, **kwargs: Any) -> Any:
            if len(args) == 2 and first not in kwargs and second not in kwargs:
                call = validate(args[0], args[1], kwargs)
            else:
                call = bind(ep, args, kwargs)
            return await aexecute(call, self.settings, self.transport, ep, acall_type)
    else:

        def method(self: Client, *args: Any, **kwargs: Any) -> Any:
            return execute(bind(ep, args, kwargs), self.settings, self.transport, ep, call_type)

        async def amethod(self: Client, *args: Any, **kwargs: Any) -> Any:
            return await aexecute(bind(ep, args, kwargs), self.settings, self.transport, ep, acall_type)

    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None) for n in ep.positional]
    params.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    fn: Any
    for fn, name in ((method, ep.name), (amethod, "a" + ep.name)):
        fn.__name__ = fn.__qualname__ = name
        fn.__signature__ = inspect.Signature(params)
        fn.__doc__ = f"``{ep.name}`` through this client's settings and transport" + (
            " (async)." if fn is amethod else "."
        )
    return method, amethod


for _ep in ENDPOINTS.values():
    if not _ep.public:
        continue
    _sync, _async = _call_methods(_ep)
    setattr(Client, _ep.name, _sync)
    setattr(Client, "a" + _ep.name, _async)
del _ep, _sync, _async


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
