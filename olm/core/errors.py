"""Errors meant for the user: one clear sentence naming the thing and the rule."""

__all__ = ["OLMError", "ConfigError", "FileFormatError"]


class OLMError(Exception):
    """An error the user can act on. The CLI and the Studio show its message as is."""


class ConfigError(OLMError, ValueError):
    """A hyperparameter or setting breaks a rule ("embed_dim 1000 is not divisible by ...")."""


class FileFormatError(OLMError):
    """A file could not be read: names the file, the place and the reason."""
