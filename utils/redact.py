"""Keep secrets out of everything written: API keys live in the environment, and any value of a secret-looking
environment variable, or a secret given on the command line (a password inside a URL such as a storage or server
address, a `key=`/`token=` query parameter), is replaced before text reaches the terminal, a trace, a report, an
error file, a log or an Optuna study's user attributes."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

_SECRET_NAME = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD|CREDENTIALS?|KEY)$", re.IGNORECASE)
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s,'\"]+")
MIN_SECRET_LENGTH = 8
_registered: set[str] = set()  # secrets found in arguments (this process)


def secrets_in_arguments(arguments: Iterable[str]) -> list[str]:
    """Passwords inside URLs (`postgresql://user:PASSWORD@host/db`, `https://user:KEY@host`) and the values of
    secret-named query parameters (`?api_key=...`) found in command-line arguments."""
    found = []
    for argument in arguments:
        for url in _URL.findall(argument):
            try:
                parts = urlsplit(url)
                password = parts.password
            except ValueError:
                continue
            if password:
                found.append(password)
            found.extend(value for name, value in parse_qsl(parts.query) if _SECRET_NAME.search(name) and value)
    return [value for value in found if len(value) >= 4]


def register_secrets(values: Iterable[str]) -> None:
    """Redact these values too from now on (secrets that came in through arguments, not the environment)."""
    _registered.update(v for v in values if v)


def secret_values() -> list[str]:
    """Values of environment variables whose names say they are secrets, and registered ones (longest first)."""
    values = {v for k, v in os.environ.items() if _SECRET_NAME.search(k) and v and len(v) >= MIN_SECRET_LENGTH}
    return sorted(values | _registered, key=len, reverse=True)


def redact(text: str) -> str:
    for value in secret_values():
        text = text.replace(value, "[REDACTED]")
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secret values from every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
