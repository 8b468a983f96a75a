"""Rules every translator shares."""

from __future__ import annotations

from typing import Iterable

from ..exceptions import UnsupportedParamsError


def drop_unsupported(provider: str, params: dict, unsupported: Iterable[str], model: str, drop: bool,
                     where: str = "") -> dict:
    """``params`` without the ``unsupported`` ones when ``drop`` is on; otherwise raise
    ``UnsupportedParamsError`` naming them. Returns ``params`` itself when nothing is unsupported."""
    bad = [p for p in unsupported if p in params]
    if not bad:
        return params
    if not drop:
        raise UnsupportedParamsError(
            message=(f"{provider}{where} does not support parameters {bad} for model={model}. "
                     f"Set litegate.drop_params=True (or pass drop_params=True) to drop them."),
            model=model,
            llm_provider=provider,
        )
    return {k: v for k, v in params.items() if k not in bad}
