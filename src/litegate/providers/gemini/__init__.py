"""The Google Gemini dialect: ``gemini/<model>`` (Gemini API / AI Studio, API key).

A pure translator, like the OpenAI one: a ``ChatCall`` / ``EmbeddingCall`` + ``Target`` become an
``HttpRequest``; the JSON reply or the SSE byte stream becomes our OpenAI-shaped types, and error
bodies become the exception hierarchy. No I/O here. ``providers/vertex.py`` speaks the same
dialect on Vertex AI URLs and reuses everything in this package.

Wire format: the Gemini API reference (``v1beta`` OpenAPI description), the recorded responses and
streams of Google's client SDKs, and the official ``google-genai`` SDK (see the parity tests).

=================  ==========================================================================
``schema.py``      JSON schema -> Gemini ``Schema`` (:func:`adapt_schema`)
``messages.py``    OpenAI messages -> ``systemInstruction`` + ``contents``
``tools.py``       ``tools`` / ``tool_choice`` -> ``tools`` / ``toolConfig``
``params.py``      other params and keyword arguments -> ``generationConfig`` and top-level fields
``response.py``    ``GenerateContentResponse`` -> choices, usage, blocks, embedded errors
``streaming.py``   the stream framer (SSE + bare JSON errors) and :class:`GeminiStreamDecoder`
``dialect.py``     :class:`Gemini`, the :class:`~litegate.providers.base.Dialect` tying them together
``common.py``      model-name rules and small helpers
=================  ==========================================================================
"""

from __future__ import annotations

from .common import _VERSIONED, API_VERSION, _camel, _fail, model_version, supports_json_schema, supports_thinking  # noqa: F401 - names earlier versions of vertex.py imported
from .dialect import Gemini
from .messages import THOUGHT_SEPARATOR, convert_messages, guess_mime_type, split_thought_signature
from .params import THINKING_BUDGETS
from .response import FINISH_REASONS, SAFETY_FINISH, finish_reason, google_error
from .schema import adapt_schema
from .streaming import GeminiStreamDecoder, GoogleStreamFramer
from .tools import convert_tools

__all__ = [
    "API_VERSION",
    "FINISH_REASONS",
    "Gemini",
    "GeminiStreamDecoder",
    "GoogleStreamFramer",
    "SAFETY_FINISH",
    "THINKING_BUDGETS",
    "THOUGHT_SEPARATOR",
    "adapt_schema",
    "convert_messages",
    "convert_tools",
    "finish_reason",
    "google_error",
    "guess_mime_type",
    "model_version",
    "split_thought_signature",
    "supports_json_schema",
    "supports_thinking",
]
