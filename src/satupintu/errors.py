"""The one domain error type: a machine code, an Indonesian message and the field at fault."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


@dataclass
class FieldError:
    field: str
    message: str
    code: str = "invalid"
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.message}
        if self.row is not None:
            data["row"] = self.row
        return data


class DomainError(Exception):
    """Raised by service functions; the API maps it to 4xx JSON, pages show the message."""

    status = 400

    def __init__(self, code: str, message: str, field: str | None = None,
                 details: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.details = details or []

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.details:
            body["details"] = [d.as_dict() for d in self.details]
        return {"error": body}


class NotFound(DomainError):
    status = 404

    def __init__(self, what: str, field: str | None = None) -> None:
        super().__init__("not_found", f"{what} tidak ditemukan.", field)


class Forbidden(DomainError):
    status = 403

    def __init__(self, message: str = "Anda tidak berwenang atas data ini.") -> None:
        super().__init__("forbidden", message)


class Unauthenticated(DomainError):
    status = 401

    def __init__(self, message: str = "Silakan masuk terlebih dahulu.") -> None:
        super().__init__("unauthenticated", message)


class Conflict(DomainError):
    status = 409


class DatabaseUnavailable(DomainError):
    """The database could not be reached or refused the connection: nothing was changed by a
    statement that never ran, and one that committed was answered before the failure."""

    status = 503

    def __init__(self) -> None:
        super().__init__("database_unavailable",
                         "Basis data sedang tidak dapat dihubungi. Tunggu sebentar lalu coba lagi.")


class ValidationFailed(DomainError):
    status = 422

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        first = errors[0] if errors else None
        super().__init__(
            "validation_failed",
            message or (first.message if first else "Data tidak valid."),
            first.field if first else None,
            errors,
        )


@dataclass
class Errors:
    """Collects field errors, then raises them together."""

    items: list[FieldError] = dc_field(default_factory=list)

    def add(self, field: str, message: str, code: str = "invalid", row: int | None = None) -> None:
        self.items.append(FieldError(field, message, code, row))

    def raise_if_any(self, message: str | None = None) -> None:
        if self.items:
            raise ValidationFailed(self.items, message)


# Starlette's and FastAPI's own refusals, as domain errors: (code, message, field).
_HTTP_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("invalid_body", "Data yang dikirim tidak dapat dibaca.", "body"),
    401: ("unauthenticated", "Silakan masuk terlebih dahulu.", None),
    403: ("forbidden", "Anda tidak berwenang atas data ini.", None),
    404: ("not_found", "Alamat tidak ditemukan.", None),
    405: ("method_not_allowed", "Metode permintaan ini tidak didukung pada alamat ini.", None),
    413: ("too_large", "Data yang dikirim terlalu besar (maksimal 12 MB).", "body"),
    415: ("unsupported_media_type", "Jenis data yang dikirim tidak didukung.", "body"),
}


def http_domain_error(status: int) -> DomainError:
    """The domain error for an HTTP status the framework answered by itself."""
    code, message, field = _HTTP_ERRORS.get(status, ("request_refused", "Permintaan tidak dapat diproses.", None))
    error = DomainError(code, message, field)
    error.status = status
    return error
