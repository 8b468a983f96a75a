# A stand-in `litellm` package: `litegate run` (or `litegate alias-path`) puts its directory first
# on PYTHONPATH, so a program's first `import litellm` lands here. It turns litegate's alias mode
# on, and the import then returns litegate's `litellm` module instead of this one.
__litegate_shim__ = True

from litegate.alias import alias_litellm as _alias

_alias()
