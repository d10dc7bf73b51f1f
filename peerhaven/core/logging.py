"""Keeps user content out of logs and error reports.

Log records may carry a request (with its body and query string) and exception messages that
quote user input. The filter drops the request object, replaces exception messages with the
exception's type, and scrubs query strings from any path-like text.
"""

from __future__ import annotations

import contextvars
import logging
import re
import traceback

request_path_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_path", default="")

_QUERY = re.compile(r"(\?[^\s\"']*)")


def _scrub(text: str) -> str:
    return _QUERY.sub("?…", text)


class ScrubUserContentFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # The formatted message, with arguments merged, is the only text we keep.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        if hasattr(record, "request"):
            # django.request attaches the request; its repr and body must never be written.
            record.request = None
        if record.name.startswith("django.db.backends"):
            # SQL parameters hold user content.
            message = "SQL query (parameters withheld)"
        record.msg = _scrub(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            exc_type, exc, tb = record.exc_info
            # Keep where it failed (file, line, function) but not what the exception said:
            # messages like "invalid literal for int(): '<user text>'" quote input.
            frames = traceback.extract_tb(tb)
            lines = [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames]
            name = exc_type.__name__ if exc_type is not None else "Exception"
            record.msg = f"{record.msg}\nTraceback (most recent call last):\n" + "\n".join(lines) + f"\n{name}: (message withheld)"
            record.exc_info = None
            record.exc_text = None
        record.stack_info = None
        return True
