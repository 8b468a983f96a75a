"""Streaming: an incremental SSE decoder and the stream wrapper handed to users.

A stream that fails after it started raises a typed error where it fails (connection cut,
malformed event, provider error event, missing terminator); it never ends cleanly with a
truncated answer. Closing or abandoning the wrapper releases the HTTP connection.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic

# The SSE framer lives in core/framing.py; the old name stays importable from here.
from .framing import SSEFramer as SSEDecoder  # noqa: E402,F401

if TYPE_CHECKING:
    import queue
    from collections.abc import Sequence
    from typing import Protocol

    from typing_extensions import Self, TypeVar

    from .lifecycle import Recovery
    from .observe import StreamObserver

    # the chunk type a stream yields: ModelResponseStream for chat, TextCompletionResponse for text
    # completions. The bare name stays valid (Any chunks): the public names litegate.CustomStreamWrapper
    # and litegate.TextCompletionStreamWrapper are the typed views users see.
    _ChunkT = TypeVar("_ChunkT", default=Any)
    _ChunkCo = TypeVar("_ChunkCo", covariant=True)

    class ChunkDecoder(Protocol[_ChunkCo]):
        """A provider's stream decoder: bytes in as they arrive, the chunks they complete out."""

        def feed(self, data: bytes) -> Sequence[_ChunkCo]: ...

        def finish(self) -> Sequence[_ChunkCo]: ...

else:
    from typing import TypeVar

    _ChunkT = TypeVar("_ChunkT")


class CustomStreamWrapper(Generic[_ChunkT]):
    """Iterator (sync) and async iterator over the chunks of a stream: ``ModelResponseStream`` for
    chat completions (``CustomStreamWrapper[ModelResponseStream]``), ``TextCompletionResponse`` for
    text completions.

    Created by the pipeline with an open HTTP stream and the provider's chunk decoder, or with
    a ready list of chunks (``mock_response``). ``close()`` / ``aclose()`` release the connection;
    so do reaching the end, an error, leaving a ``with`` block, and garbage collection.
    """

    _observer: StreamObserver  # set by StreamObserver.attach (the pipeline's streams and hooked mocks)

    def __init__(
        self,
        completion_stream: Iterable[_ChunkT] | None = None,
        model: str | None = None,
        custom_llm_provider: str | None = None,
        logging_obj: Any = None,
        *,
        decoder: ChunkDecoder[_ChunkT] | None = None,
        http_stream: Any = None,  # an open transport stream (core/transport.py), sync or async
        hidden_params: dict[str, Any] | None = None,
        on_error: Callable[[BaseException], BaseException] | None = None,
        on_chunk: Callable[[_ChunkT], None] | None = None,
        on_end: Callable[[], None] | None = None,
    ):
        self.model = model
        self.custom_llm_provider = custom_llm_provider
        self.logging_obj = logging_obj
        self.completion_stream = completion_stream  # ready chunks (mock) when no http stream
        self._decoder = decoder
        self._http = http_stream
        if _closing is None and http_stream is not None:
            _start_closer()
        self._hidden_params = hidden_params or {}
        self._on_error = on_error
        self._on_chunk = on_chunk
        self._on_end = on_end
        self._pending: list[_ChunkT] = []
        self._pos = 0
        self._source: Any = None  # the chunks' iterator, or the HTTP body's (async) iterator
        self._finished = False
        self.chunks: list[_ChunkT] = []  # kept only when a consumer asked for the final response
        self._recovery: Recovery | None = None  # resumes a broken stream elsewhere
        self._delegate: CustomStreamWrapper[_ChunkT] | None = None  # continues this one after a recovery
        self._lstrip_next = False  # drop the continuation's leading whitespace (already delivered)
        self._deadline: tuple[float, float] | None = None  # (monotonic end, seconds) of stream_deadline

    # ------------------------------------------------------------------ shared
    def _emit(self, chunks: Sequence[_ChunkT]) -> None:
        if chunks:
            on_chunk = self._on_chunk
            if on_chunk is not None:
                for c in chunks:
                    on_chunk(c)
            if self._pos:
                self._pending = self._pending[self._pos :]
                self._pos = 0
            self._pending.extend(chunks)

    def _next_ready(self) -> _ChunkT:  # the next decoded chunk, or _NOTHING
        if self._pos < len(self._pending):
            item = self._pending[self._pos]
            self._pos += 1
            return item
        return _NOTHING  # type: ignore[no-any-return]  # the sentinel, compared by identity, never handed out

    def _fail(self, exc: BaseException) -> BaseException:
        self._finished = True
        return self._on_error(exc) if self._on_error is not None else exc

    def _end(self) -> None:
        self._finished = True
        if self._on_end is not None:
            self._on_end()
            self._on_end = None

    # ------------------------------------------------------------------ sync
    def __iter__(self) -> Self:
        return self

    def prime(self) -> Self:
        """Read until the first chunk is decoded (it stays first for the caller) or the stream
        ends; errors are raised here, while the call can still be retried or fall back."""
        try:
            self.__next__()
        except StopIteration:
            return self
        self._pos -= 1
        return self

    def __next__(self) -> _ChunkT:
        item = self._next_ready()
        if item is not _NOTHING:
            return item
        if self._delegate is not None:
            return self._from_delegate(self._delegate)
        if self._finished:
            raise StopIteration
        if self._http is None:
            return self._next_ready_source()
        if self._source is None:
            self._source = self._http.iter_bytes()
        decoder: Any = self._decoder  # set whenever there is an HTTP stream
        try:
            while True:
                try:
                    piece = next(self._source)
                except StopIteration:
                    self._emit(decoder.finish())
                    self.close()
                    self._end()
                    break
                self._emit(decoder.feed(piece))
                if self._deadline is not None:
                    self._check_deadline(self._deadline)
                item = self._next_ready()
                if item is not _NOTHING:
                    return item
        except Exception as exc:
            self.close()
            recovery = self._recovery
            if recovery is not None and recovery.applies(exc):
                self._delegate = recovery.resume(exc, self)
                if self._delegate is not None:
                    return self._from_delegate(self._delegate)
            raise self._fail(exc) from None
        item = self._next_ready()
        if item is not _NOTHING:
            return item
        raise StopIteration

    def _check_deadline(self, deadline: tuple[float, float]) -> None:
        end, seconds = deadline
        if time.monotonic() > end:
            from ..exceptions import Timeout

            exc = Timeout(
                message=f"the stream did not finish within stream_deadline={seconds}s",
                llm_provider=self.custom_llm_provider,
                model=self.model,
            )
            exc._deadline = True  # type: ignore[attr-defined]  # a marker: Recovery.applies reads it
            raise exc

    def _from_delegate(self, delegate: CustomStreamWrapper[_ChunkT]) -> _ChunkT:
        try:
            item = next(delegate)
        except StopIteration:
            self._end()
            raise
        except Exception as exc:  # the continuation broke as well: its typed error stands
            raise self._fail(exc) from None
        return self._spliced(item)

    def _spliced(self, item: _ChunkT) -> _ChunkT:
        if self._lstrip_next:
            for choice in getattr(item, "choices", None) or ():
                delta = getattr(choice, "delta", None)
                if delta is not None and delta.content:
                    delta.content = delta.content.lstrip()
                    self._lstrip_next = False
        if self._on_chunk is not None:
            self._on_chunk(item)
        return item

    def _next_ready_source(self) -> _ChunkT:
        if self._source is None:
            self._source = iter(self.completion_stream or ())
        try:
            item: _ChunkT = next(self._source)
        except StopIteration:
            self._end()
            raise
        if self._on_chunk is not None:
            self._on_chunk(item)
        return item

    def close(self) -> None:
        http = self._http
        if http is not None and hasattr(http, "close"):
            http.close()
        if self._delegate is not None:
            self._delegate.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ async
    def __aiter__(self) -> Self:
        return self

    async def aprime(self) -> Self:
        """Async twin of :meth:`prime`."""
        try:
            await self.__anext__()
        except StopAsyncIteration:
            return self
        self._pos -= 1
        return self

    async def __anext__(self) -> _ChunkT:
        item = self._next_ready()
        if item is not _NOTHING:
            return item
        if self._delegate is not None:
            return await self._afrom_delegate(self._delegate)
        if self._finished:
            raise StopAsyncIteration
        if self._http is None:
            try:
                return self._next_ready_source()
            except StopIteration:
                raise StopAsyncIteration from None
        if self._source is None:
            self._source = self._http.aiter_bytes().__aiter__()
        decoder: Any = self._decoder  # set whenever there is an HTTP stream
        try:
            while True:
                try:
                    piece = await self._source.__anext__()
                except StopAsyncIteration:
                    self._emit(decoder.finish())
                    await self.aclose()
                    self._end()
                    break
                self._emit(decoder.feed(piece))
                if self._deadline is not None:
                    self._check_deadline(self._deadline)
                item = self._next_ready()
                if item is not _NOTHING:
                    return item
        except Exception as exc:
            await self.aclose()
            recovery = self._recovery
            if recovery is not None and recovery.applies(exc):
                self._delegate = await recovery.aresume(exc, self)
                if self._delegate is not None:
                    return await self._afrom_delegate(self._delegate)
            raise self._fail(exc) from None
        item = self._next_ready()
        if item is not _NOTHING:
            return item
        raise StopAsyncIteration

    async def _afrom_delegate(self, delegate: CustomStreamWrapper[_ChunkT]) -> _ChunkT:
        try:
            item = await delegate.__anext__()
        except StopAsyncIteration:
            self._end()
            raise
        except Exception as exc:
            raise self._fail(exc) from None
        return self._spliced(item)

    async def aclose(self) -> None:
        http = self._http
        if http is not None and hasattr(http, "aclose"):
            await http.aclose()
        if self._delegate is not None:
            await self._delegate.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ abandonment
    def __del__(self) -> None:
        http = self.__dict__.get("_http")
        if http is None:
            return
        try:
            if hasattr(http, "close"):
                _close_later(http)
            elif not http.closed:
                loop = asyncio.get_running_loop()
                loop.create_task(http.aclose())
        except Exception:  # noqa: BLE001 - no loop any more: the pool goes with it
            pass


_NOTHING: Any = object()  # no decoded chunk is waiting (typed Any: it stands where a chunk would)


# An abandoned sync stream is closed by a helper thread, never inside ``__del__`` itself: a garbage
# collection can run ``__del__`` in the middle of the HTTP client's own code on this thread (httpx
# holding its pool lock while it picks a connection), and closing there would wait for that lock
# forever. ``SimpleQueue.put`` is safe to call from ``__del__``; the thread is started with the
# first stream, and again in a forked child (threads do not survive ``fork``).
_closing: queue.SimpleQueue[Any] | None = None


def _start_closer() -> None:
    global _closing
    if _closing is not None:
        return
    import queue
    import threading

    todo: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def closer() -> None:
        while True:
            http = todo.get()
            try:
                http.close()
            except Exception:  # noqa: BLE001 - the connection goes with its pool
                pass
            del http

    threading.Thread(target=closer, name="litegate-stream-closer", daemon=True).start()
    _closing = todo


def _close_later(http: Any) -> None:
    todo = _closing
    if todo is None:  # no thread (never started, or a forked child before its first stream)
        http.close()
    else:
        todo.put(http)


def _forget_closer() -> None:
    global _closing
    _closing = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_closer)
