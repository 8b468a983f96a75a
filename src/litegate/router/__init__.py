"""``litegate.router``: the Router (spec section 6) and its Deployment entries.

``from litegate.router import Router`` (litellm's ``from litellm.router import Router``).
"""

from .deployment import Deployment
from .router import Router

__all__ = ["Deployment", "Router"]
