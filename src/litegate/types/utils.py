"""Response objects returned by litegate, under litellm's import path (``litellm.types.utils``).

The classes live in focused modules; this module re-exports them (the very same class objects):

* :mod:`litegate.types.base` - :class:`OpenAIObject` (the dict-access base), :class:`Usage` and
  its token details, the private ``_hidden_params`` state of top-level responses;
* :mod:`litegate.types.chat` - :class:`ModelResponse`, :class:`ModelResponseStream`, choices,
  messages, deltas, tool calls and chat logprobs;
* :mod:`litegate.types.embedding` - :class:`EmbeddingResponse` and :class:`Embedding`;
* :mod:`litegate.types.completion` - :class:`TextCompletionResponse`, :class:`TextChoices` and
  their :class:`Logprobs`.
"""

from __future__ import annotations

from .base import (
    CompletionTokensDetails,
    CompletionTokensDetailsWrapper,
    LiteLLMBase,
    LiteLLMPydanticObjectBase,
    MissingKeyError,
    OpenAIObject,
    PromptTokensDetails,
    PromptTokensDetailsWrapper,
    Usage,
    _ResponseMixin,  # noqa: F401  (private; older imports of it from here keep working)
)
from .chat import (
    ChatCompletionAudioResponse,
    ChatCompletionDeltaToolCall,
    ChatCompletionMessageToolCall,
    ChatCompletionTokenLogprob,
    ChoiceLogprobs,
    Choices,
    Delta,
    Function,
    FunctionCall,
    Message,
    ModelResponse,
    ModelResponseStream,
    StreamingChoices,
    TopLogprob,
)
from .completion import Logprobs, TextChoices, TextCompletionResponse
from .embedding import Embedding, EmbeddingResponse

__all__ = [
    "OpenAIObject",
    "LiteLLMBase",
    "LiteLLMPydanticObjectBase",
    "MissingKeyError",
    "Function",
    "FunctionCall",
    "ChatCompletionMessageToolCall",
    "ChatCompletionDeltaToolCall",
    "ChatCompletionAudioResponse",
    "TopLogprob",
    "ChatCompletionTokenLogprob",
    "ChoiceLogprobs",
    "Logprobs",
    "Message",
    "Delta",
    "Choices",
    "StreamingChoices",
    "PromptTokensDetails",
    "CompletionTokensDetails",
    "PromptTokensDetailsWrapper",
    "CompletionTokensDetailsWrapper",
    "Usage",
    "ModelResponse",
    "ModelResponseStream",
    "Embedding",
    "EmbeddingResponse",
    "TextChoices",
    "TextCompletionResponse",
]
