"""Bedrock InvokeModel: provider-native bodies at ``POST /model/{modelId}/invoke`` (and
``/invoke-with-response-stream``).

* **Claude** (``bedrock/anthropic.claude-...``): the Anthropic Messages translator itself
  (:class:`BedrockAnthropic` is a :class:`~litegate.providers.anthropic_platform.PlatformAnthropic`):
  the same body without ``model`` / ``stream`` and with ``anthropic_version: bedrock-2023-05-31``
  (``anthropic-beta`` headers become the body's ``anthropic_beta`` list), the same response
  parser, and the same stream decoder fed by the event-stream framing: each ``chunk`` event
  carries one Anthropic stream event, base64-encoded (:class:`ChunkFramer`).
* **Embeddings**: Titan text v1 (``{"inputText"}``), Titan text v2 (``+ dimensions, normalize``),
  Cohere embed (``{"texts", "input_type", "truncate", "embedding_types"}``). Titan embeds one
  text per request: several texts are sent as one request each, one after another
  (:class:`TitanEachText`), and answered together in input order.
* **Images**: Stability SDXL (``text_prompts`` + ``height``, ``width``, ``cfg_scale``, ``steps``,
  ``seed``, ``style_preset``, ``samples``; answer ``artifacts[].base64``), Stability SD3 / Stable
  Image (``prompt``, ``negative_prompt``, ``seed``, ``aspect_ratio``, ``output_format``; answer
  ``images[]``), Titan Image Generator / Nova Canvas (``taskType: TEXT_IMAGE`` +
  ``imageGenerationConfig``; answer ``images[]``). Every answer is ``b64_json``.
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any

from ...core.auth import Auth
from ...core.jsonutil import loads
from ...types.utils import EmbeddingResponse
from ..anthropic import AnthropicStreamDecoder, uses_json_tool
from ..anthropic_platform import PlatformAnthropic
from ..aws.eventstream import EventStreamFramer, stream_exception
from ..base import bad_input

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeAlias

    from ...core.auth import Flow
    from ...core.call import EmbeddingCall, MediaCall
    from ...core.http import HttpRequest, HttpResponse
    from ...types.media import ImageResponse
    from ..aws.credentials import AwsSigV4
    from ..aws.eventstream import EventMessage
    from ..base import Chunk
    from . import Bedrock

    # a stream item for the Anthropic decoder ((event, data), as an SSE framer gives) or an exception message
    _Item: TypeAlias = "tuple[None, str] | _Exception"

BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31"
MAX_TITAN_TEXTS = 2048  # texts per Titan embedding call (each is one request, sent one after another)
# cross-region inference profile prefixes (``us.anthropic.claude-...``)
REGION_PREFIXES = ("us", "eu", "apac", "global", "jp", "au", "ca", "us-gov")


def base_model(model_id: str) -> str:
    """The model id without a cross-region inference-profile prefix (``us.anthropic.x`` -> ``anthropic.x``)."""
    head, sep, rest = model_id.partition(".")
    return rest if sep and head in REGION_PREFIXES else model_id


def _fail(message: str, model: str) -> Exception:
    return bad_input(f"bedrock: {message}", model)


# ------------------------------------------------------------------------------------- Claude
class BedrockAnthropic(PlatformAnthropic):
    """The Anthropic Messages dialect on the Bedrock platform (URL, auth and framing differ)."""

    name = "bedrock"
    key_hint = "AWS credentials"
    platform_version = BEDROCK_ANTHROPIC_VERSION

    def stream_decoder(self, call: Any, target: Any) -> BedrockAnthropicStreamDecoder:
        params = call.params or {}
        so = params.get("stream_options")
        include_usage = isinstance(so, dict) and so.get("include_usage") is True
        return BedrockAnthropicStreamDecoder(target.model, include_usage, uses_json_tool(params, target.model))


class _Exception:
    __slots__ = ("message",)

    def __init__(self, message: EventMessage):
        self.message = message  # the event-stream exception message


class ChunkFramer:
    """InvokeModelWithResponseStream bytes -> the ``(event, data)`` items an SSE framer would give:
    each ``chunk`` event's ``bytes`` (base64) is one provider stream event. Exception messages
    become :class:`_Exception` items for the decoder to raise."""

    __slots__ = ("_frames",)

    def __init__(self) -> None:
        self._frames = EventStreamFramer()

    def _items(self, messages: list[EventMessage]) -> list[_Item]:
        out: list[_Item] = []
        for msg in messages:
            if msg.message_type in ("exception", "error"):
                out.append(_Exception(msg))
                continue
            if msg.event_type != "chunk":
                continue
            try:
                obj = loads(msg.payload)
                data = base64.b64decode(obj["bytes"], validate=True).decode("utf-8")
            except (ValueError, KeyError, TypeError):
                from ...exceptions import APIResponseValidationError

                raise APIResponseValidationError(
                    message=f"event stream: a chunk event without base64 'bytes': {msg.payload[:200]!r}"
                ) from None
            out.append((None, data))
        return out

    def feed(self, data: bytes) -> list[_Item]:
        return self._items(self._frames.feed(data))

    def flush(self) -> list[_Item]:
        return self._items(self._frames.flush())


class BedrockAnthropicStreamDecoder(AnthropicStreamDecoder):
    """Anthropic's stream decoder over Bedrock's event-stream framing; an exception message is
    raised as the mapped error after the events before it."""

    __slots__ = ()

    def __init__(self, model: str, include_usage: bool = False, json_tool: bool = False):
        super().__init__(model, include_usage, json_tool)
        self.provider = "bedrock"
        self._frames = ChunkFramer()

    def _convert_into(self, items: list[Any], out: list[Chunk]) -> None:
        batch: list[Any] = []
        for item in items:
            if isinstance(item, _Exception):
                super()._convert_into(batch, out)
                raise stream_exception(item.message, self.provider, self.model)
            batch.append(item)
        super()._convert_into(batch, out)


# ------------------------------------------------------------------------------------- embeddings
def embedding_family(model_id: str) -> str | None:
    base = base_model(model_id)
    if base.startswith("amazon.titan-embed-text-v2"):
        return "titan-v2"
    if base.startswith(("amazon.titan-embed-text-v1", "amazon.titan-embed-g1-text")):
        return "titan-v1"
    if base.startswith("cohere.embed"):
        return "cohere"
    return None


def embedding_body(call: EmbeddingCall, model_id: str, drop: Any) -> dict[str, Any]:
    from ..base import drop_unsupported

    family = embedding_family(model_id)
    model = call.model
    if family is None:
        raise _fail(
            f"no embedding translation for model {model_id!r} (Titan text v1/v2 and Cohere embed are available)", model
        )
    texts = [call.input] if isinstance(call.input, str) else list(call.input)
    if not all(isinstance(t, str) for t in texts):
        raise _fail("Bedrock embeddings take text input (strings)", model)
    params = dict(call.params or {})
    extra = {k: v for k, v in (call.extra or {}).items()}
    if family == "cohere":
        params = drop_unsupported(
            "bedrock", params, [p for p in params if p != "encoding_format" or params[p] != "float"], model, drop
        )
        body: dict[str, Any] = {"texts": texts, "input_type": extra.pop("input_type", "search_document")}
        body.update(extra)
        return body
    return titan_bodies(texts, params, extra, family, model_id, model, drop)[-1]


def titan_bodies(
    texts: list[str], params: dict[str, Any], extra: dict[str, Any], family: str, model_id: str, model: str, drop: Any
) -> list[dict[str, Any]]:
    """One InvokeModel body per text (Titan embeds one text per request; :class:`TitanEachText`
    sends all but the last, the lifecycle the last)."""
    from ..base import drop_unsupported

    if not texts:
        raise _fail("no input text to embed", model)
    if len(texts) > MAX_TITAN_TEXTS:
        raise _fail(
            f"{model_id} embeds one text per request; at most {MAX_TITAN_TEXTS} texts per call, got {len(texts)}", model
        )
    allowed = ("dimensions",) if family == "titan-v2" else ()
    params = drop_unsupported(
        "bedrock",
        params,
        [p for p in params if p not in allowed and not (p == "encoding_format" and params[p] == "float")],
        model,
        drop,
    )
    if "dimensions" in params and params["dimensions"] not in (256, 512, 1024):
        raise _fail(f"{model_id} takes dimensions 256, 512 or 1024, got {params['dimensions']}", model)
    bodies = []
    for text in texts:
        body: dict[str, Any] = {"inputText": text}
        if "dimensions" in params:
            body["dimensions"] = params["dimensions"]
        body.update(extra)  # normalize, embeddingTypes ...
        bodies.append(body)
    return bodies


def titan_side_bodies(call: EmbeddingCall, model_id: str, drop: Any) -> list[dict[str, Any]]:
    """The bodies of a Titan call's texts before the last ([] for one text or another family)."""
    family = embedding_family(model_id)
    if family not in ("titan-v1", "titan-v2") or isinstance(call.input, str) or len(call.input) < 2:
        return []
    return titan_bodies(
        list(call.input), dict(call.params or {}), dict(call.extra or {}), family, model_id, call.model, drop
    )[:-1]


class TitanEachText(Auth):
    """Titan embeds one text per InvokeModel request: this per-attempt flow (core/auth.py's seam)
    sends the texts before the last one, one after another (serially: never more than one request
    in flight), signed like the call itself, and keeps their vectors and token counts in
    ``target.meta["titan_before"]``; the lifecycle sends the last text's request, and
    :func:`parse_embedding` puts the vectors back in input order. A failed text fails the call
    (the lifecycle's retry rules apply to the whole call)."""

    def __init__(self, dialect: Bedrock, target: Any, bodies: list[dict[str, Any]], inner: AwsSigV4 | None):
        self.dialect, self.target, self.bodies, self.inner = dialect, target, bodies, inner

    def flow(self, request: HttpRequest) -> Flow:
        from dataclasses import replace

        done: list[tuple[list[Any], int]] = []
        self.target.meta["titan_before"] = done
        for body in self.bodies:
            side = replace(request, json=body, content=None)
            if self.inner is not None:
                side = yield from self.inner.flow(side)
            resp: HttpResponse = yield side
            if resp.status_code >= 400:
                raise self.dialect.error(resp, self.target)
            data = self.dialect.json_body(resp, self.target, "embedding")
            vector = data.get("embedding")
            if not isinstance(vector, list):
                raise self.dialect.invalid("response has no 'embedding'", self.target)
            done.append((vector, int(data.get("inputTextTokenCount") or 0)))
        if self.inner is not None:
            request = yield from self.inner.flow(request)
        return request


def parse_embedding(
    data: dict[str, Any],
    call: EmbeddingCall,
    model_id: str,
    invalid: Callable[[str], Exception],
    before: list[tuple[list[Any], int]] | None = None,
) -> EmbeddingResponse:
    """The answer in OpenAI's shape; ``before`` holds (vector, token count) of the Titan texts sent
    ahead of this last one (:class:`TitanEachText`)."""
    family = embedding_family(model_id)
    if family == "cohere":
        vectors = data.get("embeddings")
        if isinstance(vectors, dict):  # embedding_types given: {"float": [[...]], ...}
            vectors = vectors.get("float") or next(iter(vectors.values()), None)
        if not isinstance(vectors, list):
            raise invalid("response has no 'embeddings'")
        texts = [call.input] if isinstance(call.input, str) else list(call.input)
        from ...tokens import token_counter

        prompt = sum(token_counter(text=t) for t in texts)  # the answer carries no count: an estimate
        usage = {"prompt_tokens": prompt, "total_tokens": prompt}
    else:
        vector = data.get("embedding")
        if not isinstance(vector, list):
            raise invalid("response has no 'embedding'")
        before = before or []
        vectors = [v for v, _ in before] + [vector]
        tokens = int(data.get("inputTextTokenCount") or 0) + sum(n for _, n in before)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    items = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
    return EmbeddingResponse(model=model_id, data=items, object="list", usage=usage)


# ------------------------------------------------------------------------------------- images
def image_family(model_id: str) -> str | None:
    base = base_model(model_id)
    if base.startswith("stability.stable-diffusion-xl"):
        return "sdxl"
    if base.startswith(("stability.sd3", "stability.stable-image")):
        return "sd3"
    if base.startswith(("amazon.titan-image-generator", "amazon.nova-canvas")):
        return "titan"
    return None


_SD_KEYS = ("height", "width", "cfg_scale", "steps", "seed", "style_preset", "sampler", "clip_guidance_preset")


def _size(params: dict[str, Any], model: str) -> tuple[int, int] | None:
    size = params.get("size")
    if size is None or size == "auto":
        return None
    try:
        w, h = (int(x) for x in str(size).lower().split("x"))
    except ValueError:
        raise _fail(f"size must be 'WIDTHxHEIGHT', got {size!r}", model) from None
    return w, h


def image_body(call: MediaCall, model_id: str, drop: Any) -> dict[str, Any]:
    from ..base import drop_unsupported

    family = image_family(model_id)
    model = call.model
    if family is None:
        raise _fail(
            f"no image translation for model {model_id!r} (Stability SDXL / SD3 / Stable Image, Titan Image "
            "Generator and Nova Canvas are available)",
            model,
        )
    params = dict(call.params or {})
    extra = dict(call.extra or {})
    if params.get("response_format") == "url":
        params = drop_unsupported("bedrock", params, ["response_format"], model, drop)
    params.pop("response_format", None)
    supported = {"sdxl": ("n", "size"), "sd3": ("size",), "titan": ("n", "size", "quality")}[family]
    params = drop_unsupported("bedrock", params, [p for p in params if p not in supported], model, drop)
    size = _size(params, model)
    n = params.get("n")
    if family == "sdxl":
        prompts = [{"text": call.input, "weight": 1.0}]
        negative = extra.pop("negative_prompt", None)
        if negative:
            prompts.append({"text": negative, "weight": -1.0})
        body: dict[str, Any] = {"text_prompts": prompts}
        if size is not None:
            body["width"], body["height"] = size
        for key in _SD_KEYS:
            if key in extra:
                body[key] = extra.pop(key)
        if n is not None:
            body["samples"] = n
        body.update(extra)
        return body
    if family == "sd3":
        body = {"prompt": call.input, "mode": "text-to-image", "output_format": "png"}
        for key in ("negative_prompt", "seed", "aspect_ratio", "output_format"):
            if key in extra:
                body[key] = extra.pop(key)
        if size is not None and "aspect_ratio" not in body:
            from math import gcd

            w, h = size
            g = gcd(w, h) or 1
            body["aspect_ratio"] = f"{w // g}:{h // g}"
        body.update(extra)
        return body
    config: dict[str, Any] = {}
    if n is not None:
        config["numberOfImages"] = n
    if size is not None:
        config["width"], config["height"] = size
    for ours, theirs in (("height", "height"), ("width", "width"), ("cfg_scale", "cfgScale"), ("seed", "seed")):
        if ours in extra:
            config[theirs] = extra.pop(ours)
    quality = params.get("quality")
    if quality is not None:
        config["quality"] = "premium" if quality in ("hd", "high", "premium") else "standard"
    text: dict[str, Any] = {"text": call.input}
    negative = extra.pop("negative_prompt", None) or extra.pop("negativeText", None)
    if negative:
        text["negativeText"] = negative
    body = {"taskType": "TEXT_IMAGE", "textToImageParams": text}
    if config:
        body["imageGenerationConfig"] = config
    body.update(extra)
    return body


def parse_image(data: dict[str, Any], model_id: str, invalid: Callable[[str], Exception]) -> ImageResponse:
    from ...types.media import ImageObject, ImageResponse

    family = image_family(model_id)
    if family == "sdxl":
        arts = data.get("artifacts")
        if not isinstance(arts, list):
            raise invalid("response has no 'artifacts'")
        images: list[Any] | None = [a.get("base64") for a in arts if isinstance(a, dict)]
    else:
        if data.get("error"):
            raise invalid(f"reported an error: {str(data['error'])[:200]}")
        images = data.get("images")
        if not isinstance(images, list):
            raise invalid("response has no 'images'")
    if not images or not all(isinstance(i, str) and i for i in images):
        raise invalid("response holds no image data")
    return ImageResponse(created=int(time.time()), data=[ImageObject(b64_json=i) for i in images])


__all__ = [
    "BedrockAnthropic",
    "BedrockAnthropicStreamDecoder",
    "ChunkFramer",
    "embedding_body",
    "parse_embedding",
    "image_body",
    "parse_image",
    "embedding_family",
    "image_family",
    "BEDROCK_ANTHROPIC_VERSION",
    "REGION_PREFIXES",
    "base_model",
]
