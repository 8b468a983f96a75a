"""The frameworks above imported litegate, whether or not a real litellm is installed."""

from __future__ import annotations

import importlib.metadata
import sys

import litegate


def test_litellm_is_litegate_here():
    import dspy  # noqa: F401  (each framework imports litellm)
    import langchain_litellm  # noqa: F401
    import smolagents  # noqa: F401

    mod = sys.modules["litellm"]
    assert type(mod).__module__ == "litegate.alias"
    assert mod.completion is litegate.completion
    try:
        real = importlib.metadata.version("litellm")
    except importlib.metadata.PackageNotFoundError:
        real = None
    print(f"real litellm installed: {real}")  # shown with -s; both cases are run by the script
    # none of the real litellm's modules was loaded
    loaded = [
        name
        for name, m in sys.modules.items()
        if name.startswith("litellm") and m is not None and type(m).__module__ != "litegate.alias"
    ]
    assert not loaded, loaded
