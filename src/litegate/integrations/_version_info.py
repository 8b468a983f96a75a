"""The package version, for instrumentation scopes and user agents."""

from .._version import __version__ as version

__all__ = ["version"]
