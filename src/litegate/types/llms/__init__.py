"""Provider-specific types under litellm's import paths (``litellm.types.llms.openai``)."""
