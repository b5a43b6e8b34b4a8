"""The application's one error type for bad input."""


class UsageError(Exception):
    """Bad input from the user: the command prints the message (no traceback) and exits non-zero."""
