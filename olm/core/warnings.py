"""Warnings `olm` raises itself (the test suite treats them as errors)."""

__all__ = ["OLMWarning"]


class OLMWarning(UserWarning):
    """A warning raised by `olm` about the user's model or settings."""
