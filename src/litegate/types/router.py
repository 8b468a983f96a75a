"""Router types under litellm's module name (``from litellm.types.router import Deployment``)."""

from ..router.deployment import AttrDict as ModelGroupInfo
from ..router.deployment import Deployment

__all__ = ["Deployment", "ModelGroupInfo"]
