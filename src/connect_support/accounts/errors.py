"""Errors raised by the account services, shaped so any surface can report them."""

from __future__ import annotations


class InvalidParameterError(Exception):
    """A value the caller sent cannot be accepted; ``param`` names it in bracket form."""

    def __init__(self, param: str, message: str, code: str = "parameter_invalid") -> None:
        super().__init__(message)
        self.param = param
        self.message = message
        self.code = code
