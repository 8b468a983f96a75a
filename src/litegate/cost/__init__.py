"""Model registry, model information and cost (loaded on first use, never at ``import litegate``)."""
