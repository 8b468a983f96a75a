"""``import litegate.as_litellm``: turn alias mode on (``import litellm`` gives litegate).

Equivalent to ``litegate.alias_litellm()``; see :mod:`litegate.alias`.
"""

from .alias import alias_litellm

litellm = alias_litellm()
