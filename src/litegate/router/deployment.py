"""One deployment of a Router's ``model_list``: the entry as given, normalised once.

A :class:`Deployment` reads like litellm's: attributes (``model_name``, ``litellm_params``,
``model_info``, ``tpm``, ``rpm``, ``weight``, ...) that can be edited and handed back to
``Router.upsert_deployment``, with ``litellm_params`` / ``model_info`` readable both as dicts
(``d.litellm_params["model"]``) and as attributes (``d.model_info.id``). The Router keeps, next
to it, the keyword arguments each call of this deployment starts from (``call_kwargs``).
"""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any

from ..core.call import input_error

if TYPE_CHECKING:
    from typing import TypeAlias

    #: a ``model_list`` entry, or anything of its shape (``litellm_params``, ``model_info``)
    JSONDict: TypeAlias = dict[str, Any]

# keys of an entry or of its litellm_params that steer the Router and are never sent to a provider
ROUTER_KEYS = frozenset(
    {
        "tpm",
        "rpm",
        "weight",
        "order",
        "tags",
        "max_parallel_requests",
        "region_name",
        "model_info",
        "deployment_tags",
        "latency",
        "cost_per_token",
        "mock_response_delay",
    }
)
# where and as whom a deployment connects: a per-call value of None for one of these means "not
# given" and leaves the deployment's own value in place (frameworks pass api_key=None and
# api_base=None on every call when their user configured none)
CONNECTION_KEYS = frozenset(
    {
        "api_key",
        "api_base",
        "base_url",
        "api_version",
        "organization",
        "azure_ad_token",
        "azure_ad_token_provider",
        "timeout",
        "request_timeout",
        "stream_timeout",
    }
)
_CONNECTION_PREFIXES = ("aws_", "vertex_", "watsonx_")


def is_connection_key(name: Any) -> bool:
    """True for a per-call argument naming a deployment's endpoint, credentials or deadlines."""
    return isinstance(name, str) and (
        name in CONNECTION_KEYS or name.startswith(_CONNECTION_PREFIXES) or name.endswith("_credentials")
    )


def without_unset_connection(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` without the connection arguments given as None (the same dict when it has none)."""
    if not any(v is None and is_connection_key(k) for k, v in kwargs.items()):
        return kwargs
    return {k: v for k, v in kwargs.items() if v is not None or not is_connection_key(k)}


class AttrDict(dict[str, Any]):
    """A dict whose keys also read (and write) as attributes; a missing one reads as None."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def model_dump(self, **_: Any) -> dict[str, Any]:
        return dict(self)


def masked(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with credential values replaced by ``"****"`` and URL passwords masked (what a
    response's ``_hidden_params["deployment"]`` and the inspection methods show)."""
    from ..core.redact import is_secret_name, mask_url

    out = {}
    for k, v in params.items():
        if v is not None and is_secret_name(k):
            out[k] = "****" if not callable(v) else v
        elif k in ("api_base", "base_url") and isinstance(v, str):
            out[k] = mask_url(v)
        else:
            out[k] = v
    return out


class Deployment:
    """One entry of ``model_list``."""

    __slots__ = (
        "model_name",
        "litellm_params",
        "model_info",
        "tpm",
        "rpm",
        "weight",
        "latency",
        "cost_per_token",
        "deployment_tags",
        "extra",
        "_call_kwargs",
        "_cost",
        "_window",
        "_shuffle",
        "_group_window",
        "_base_kw",
        "_label",
    )

    def __init__(
        self,
        model_name: str,
        litellm_params: dict[str, Any],
        model_info: dict[str, Any] | None = None,
        *,
        tpm: int | None = None,
        rpm: int | None = None,
        weight: float | None = None,
        latency: float | None = None,
        cost_per_token: dict[str, float] | None = None,
        deployment_tags: list[str] | None = None,
        **extra: Any,
    ):
        self.model_name = model_name
        self.litellm_params = AttrDict(litellm_params)
        self.model_info = AttrDict(model_info or {})
        self.tpm = tpm
        self.rpm = rpm
        self.weight = weight
        self.latency = latency
        self.cost_per_token = cost_per_token
        self.deployment_tags = deployment_tags
        self.extra = extra
        self._call_kwargs: JSONDict | None = None
        self._base_kw: JSONDict | None = None  # the Router's prepared arguments of a call (see Router._call_kwargs)
        # (public dict, masked api_base) for _hidden_params, set by the Router
        self._label: tuple[JSONDict, str | None] | None = None
        self._cost: tuple[float | None, float | None] | None = None  # (input, output) USD per token, by the Router
        self._window: int | None = None  # context window in tokens, set by the Router
        self._shuffle: float | None = None  # simple-shuffle weight within its group (None: unweighted group)
        self._group_window: int | None = None  # the smallest known context window of its group

    # ----------------------------------------------------------------- reading it like a dict
    @property
    def id(self) -> str:
        ident: str = self.model_info["id"]  # always a string (see to_deployment)
        return ident

    def __getitem__(self, name: str) -> Any:
        if name in Deployment.__slots__ and not name.startswith("_") and name != "extra":
            return getattr(self, name)
        return self.extra[name]

    def get(self, name: str, default: Any = None) -> Any:
        try:
            value = self[name]
        except KeyError:
            return default
        return default if value is None else value

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def to_dict(self, *, secrets: bool = True) -> JSONDict:
        """The entry as a ``model_list`` dict (credentials masked with ``secrets=False``)."""
        params = dict(self.litellm_params)
        out: JSONDict = {
            "model_name": self.model_name,
            "litellm_params": params if secrets else masked(params),
            "model_info": copy.deepcopy(dict(self.model_info)),
        }
        for name in ("tpm", "rpm", "weight", "latency", "cost_per_token", "deployment_tags"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out.update(self.extra)
        return out

    def model_dump(self, **_: Any) -> JSONDict:
        return self.to_dict()

    dict = model_dump  # pydantic v1 spelling

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Deployment) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Deployment(model_name={self.model_name!r}, id={self.model_info.get('id')!r}, "
            f"model={self.litellm_params.get('model')!r}, tpm={self.tpm}, rpm={self.rpm})"
        )

    # ----------------------------------------------------------------- what the Router uses
    @property
    def call_kwargs(self) -> JSONDict:
        """The keyword arguments a call of this deployment starts from (no Router-only keys)."""
        kw = self._call_kwargs
        if kw is None:
            kw = {k: v for k, v in self.litellm_params.items() if k not in ROUTER_KEYS and v is not None}
            self._call_kwargs = kw
        return kw

    @property
    def tags(self) -> list[str]:
        return list(self.deployment_tags or self.litellm_params.get("tags") or ())


def _number(entry: Any, name: str, value: Any, *, integer: bool) -> Any:
    if value is None:
        return None
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if not ok or isinstance(value, bool) or value < 0:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise input_error(f"model_list entry {entry!r}: {name} must be {kind}, got {value!r}", None, type_error=True)
    return value


_ID_SPACE = uuid.UUID("5b1c1f1e-8d0a-4c7e-9a51-2f4b3c6d7e80")


def stable_id(model_name: str, params: JSONDict, occurrence: int = 0) -> str:
    """The id of an entry given without one: a UUID derived from its group and parameters
    (credentials left out), so every replica given the same ``model_list`` names its deployments
    alike and shares their state through Redis; ``occurrence`` tells identical entries apart."""
    import json

    from ..core.redact import is_secret_name

    public = {k: v for k, v in params.items() if not is_secret_name(k)}
    text = json.dumps([model_name, public, occurrence], sort_keys=True, default=repr)
    return str(uuid.uuid5(_ID_SPACE, text))


def to_deployment(entry: Any, occurrence: int = 0) -> Deployment:
    """A validated, normalised copy of one ``model_list`` entry (a dict or a Deployment)."""
    if isinstance(entry, Deployment):
        entry = entry.to_dict()
    if not isinstance(entry, dict):
        raise input_error(
            f"a model_list entry must be a dict or a Deployment, got {type(entry).__name__}", None, type_error=True
        )
    entry = dict(entry)
    name = entry.pop("model_name", None)
    if not isinstance(name, str) or not name:
        raise input_error("every model_list entry needs a non-empty string 'model_name'", None, type_error=True)
    params = entry.pop("litellm_params", None)
    if not isinstance(params, dict) or not isinstance(params.get("model"), str) or not params.get("model"):
        raise input_error(
            f"model_list entry {name!r}: 'litellm_params' must be a dict with a string 'model'", name, type_error=True
        )
    params = dict(params)
    info = entry.pop("model_info", None) or {}
    if not isinstance(info, dict):
        info = dict(info)
    info = dict(info)
    if info.get("id") is None:
        info["id"] = stable_id(name, params, occurrence)
    elif not isinstance(info["id"], str):
        info["id"] = str(info["id"])
    tpm = _number(
        name, "tpm", entry.pop("tpm", None) if entry.get("tpm") is not None else params.get("tpm"), integer=True
    )
    rpm = _number(
        name, "rpm", entry.pop("rpm", None) if entry.get("rpm") is not None else params.get("rpm"), integer=True
    )
    entry.pop("tpm", None)
    entry.pop("rpm", None)
    weight = entry.pop("weight", None)
    if weight is None:
        weight = params.get("weight")
    weight = _number(name, "weight", weight, integer=False)
    latency = _number(name, "latency", entry.pop("latency", None), integer=False)
    cost = entry.pop("cost_per_token", None)
    if cost is not None and not isinstance(cost, dict):
        raise input_error(f"model_list entry {name!r}: cost_per_token must be a dict", name, type_error=True)
    tags = entry.pop("deployment_tags", None)
    return Deployment(
        name,
        params,
        info,
        tpm=tpm,
        rpm=rpm,
        weight=weight,
        latency=latency,
        cost_per_token=cost,
        deployment_tags=tags,
        **entry,
    )


__all__ = [
    "AttrDict",
    "CONNECTION_KEYS",
    "Deployment",
    "ROUTER_KEYS",
    "is_connection_key",
    "masked",
    "to_deployment",
    "without_unset_connection",
]
