"""What a service raises; the UI and the API turn these into messages and 4xx answers."""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(ServiceError):
    """Bad input: `errors` maps each form field to its message."""

    status_code = 422

    def __init__(self, errors: dict[str, str], message: str = "Please correct the marked fields.") -> None:
        super().__init__(message)
        self.errors = errors


class PermissionDenied(ServiceError):
    status_code = 403

    def __init__(self, message: str = "You are not allowed to do that.") -> None:
        super().__init__(message)


class NotFound(ServiceError):
    """Also what a user gets for another studio's ids: we never confirm they exist."""

    status_code = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class NotSignedIn(ServiceError):
    status_code = 401

    def __init__(self, message: str = "Please sign in.") -> None:
        super().__init__(message)


class Throttled(ServiceError):
    status_code = 429

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class Expired(ServiceError):
    """What was asked for existed but its time is over (an expired download link)."""

    status_code = 410
