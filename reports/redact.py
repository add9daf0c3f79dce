"""Keep secrets out of everything written: API keys live in the environment, and any value of a secret-looking
environment variable is replaced before text reaches a trace, a report, an error file or a log."""

from __future__ import annotations

import logging
import os
import re

_SECRET_NAME = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD|CREDENTIALS?)$", re.IGNORECASE)
MIN_SECRET_LENGTH = 8


def secret_values() -> list[str]:
    """Values of environment variables whose names say they are secrets (longest first)."""
    values = {v for k, v in os.environ.items() if _SECRET_NAME.search(k) and v and len(v) >= MIN_SECRET_LENGTH}
    return sorted(values, key=len, reverse=True)


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
