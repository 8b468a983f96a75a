"""Test helpers: real HTTP servers on 127.0.0.1 that speak provider wire formats.

``from litegate.testing import FakeOpenAIServer``: an OpenAI-dialect server (chat completions,
streaming, tools, embeddings, legacy completions, models; Azure deployment URLs) with queued
errors, raw replies, custom streams and transport faults. Standard library only.

Every server is a dialect of ``_server.FakeServerBase``, which owns the HTTP handling, recording,
the behaviour queue and the stream encoders; a dialect declares its routes, auth rule and stream
framing.

Importing this package is cheap: the server module loads on first attribute access. The main
``litegate`` package never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "FakeOpenAIServer",
    "FakeAnthropicServer",
    "FakeOllamaServer",
    "FakeBudgetServer",
    "RecordedRequest",
    "FAULT_KINDS",
    "embedding_vector",
    "FakeCohereServer",
    "FakeGeminiServer",
    "FakeBedrockServer",
    "FakeHuggingFaceServer",
    "FakeReplicateServer",
    "FakeSageMakerServer",
    "FakeRetrievalServer",
    "FakeWatsonxServer",
    "FakeIngestionServer",
    "FakeAzureAIServer",
    "FakeNLPCloudServer",
]

if TYPE_CHECKING:  # pragma: no cover - what __getattr__ loads, for type checkers and editors
    from ._payloads import embedding_vector
    from ._server import FAULT_KINDS, RecordedRequest
    from .anthropic_server import FakeAnthropicServer
    from .azure_ai_server import FakeAzureAIServer
    from .bedrock_server import FakeBedrockServer, FakeSageMakerServer
    from .budget_server import FakeBudgetServer
    from .cohere_server import FakeCohereServer
    from .gemini_server import FakeGeminiServer
    from .huggingface_server import FakeHuggingFaceServer
    from .ingestion_server import FakeIngestionServer
    from .nlp_cloud_server import FakeNLPCloudServer
    from .ollama_server import FakeOllamaServer
    from .openai_server import FakeOpenAIServer
    from .replicate_server import FakeReplicateServer
    from .retrieval_server import FakeRetrievalServer
    from .watsonx_server import FakeWatsonxServer


def __getattr__(name: str) -> Any:
    if name in ("RecordedRequest", "FAULT_KINDS"):
        from . import _server

        value = getattr(_server, name)
    elif name == "FakeOpenAIServer":
        from .openai_server import FakeOpenAIServer as value
    elif name == "FakeAnthropicServer":
        from .anthropic_server import FakeAnthropicServer as value
    elif name == "FakeBudgetServer":
        from .budget_server import FakeBudgetServer as value
    elif name == "embedding_vector":
        from ._payloads import embedding_vector as value
    elif name == "FakeOllamaServer":
        from .ollama_server import FakeOllamaServer as value
    elif name == "FakeGeminiServer":
        from .gemini_server import FakeGeminiServer as value
    elif name == "FakeCohereServer":
        from .cohere_server import FakeCohereServer as value
    elif name == "FakeBedrockServer":
        from .bedrock_server import FakeBedrockServer as value
    elif name == "FakeHuggingFaceServer":
        from .huggingface_server import FakeHuggingFaceServer as value
    elif name == "FakeWatsonxServer":
        from .watsonx_server import FakeWatsonxServer as value
    elif name == "FakeRetrievalServer":
        from .retrieval_server import FakeRetrievalServer as value
    elif name == "FakeSageMakerServer":
        from .bedrock_server import FakeSageMakerServer as value
    elif name == "FakeReplicateServer":
        from .replicate_server import FakeReplicateServer as value
    elif name == "FakeIngestionServer":
        from .ingestion_server import FakeIngestionServer as value
    elif name == "FakeNLPCloudServer":
        from .nlp_cloud_server import FakeNLPCloudServer as value
    elif name == "FakeAzureAIServer":
        from .azure_ai_server import FakeAzureAIServer as value
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
