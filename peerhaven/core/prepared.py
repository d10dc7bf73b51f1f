"""ORM reads compiled once per process and database, then run with fresh values.

On the hottest paths (the member gate of every signed-in page, the topic page) Django spent more
time *building* a query's SQL than the database spent answering it. A `PreparedRead` builds its
queryset once with stand-in values, lets Django compile it, and remembers where each stand-in sits
among the bound parameters. Each run hands the same SQL to the database with the stand-ins
swapped for the real values: the SQL text is Django's own, every value stays a bound parameter
(decision 0013). Only scalar values are accepted (a list would change the number of markers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Stand-ins no real value takes: negative, far beyond any key, distinct per position.
_STAND_IN_BASE = -7_301_000_001


class PreparedRead:
    def __init__(self, build: Callable[..., QuerySet[Any, Any]], arity: int) -> None:
        self._build = build
        self._arity = arity
        self._compiled: dict[tuple[str, str], tuple[str, list[Any], list[tuple[int, int]]]] = {}

    def _compile(self, alias: str) -> tuple[str, list[Any], list[tuple[int, int]]]:
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            stand_ins = [_STAND_IN_BASE - index for index in range(self._arity)]
            queryset = self._build(*stand_ins)
            sql, params = queryset.query.get_compiler(using=alias).as_sql()
            params = list(params)
            slots = [(position, stand_ins.index(value)) for position, value in enumerate(params)
                     if isinstance(value, int) and not isinstance(value, bool) and value in stand_ins]
            if {index for _position, index in slots} != set(range(self._arity)):
                raise ValueError("Every value of a prepared read must reach the SQL as a parameter.")
            compiled = (sql, params, slots)
            self._compiled[key] = compiled
        return compiled

    def rows(self, *values: int, using: str = "default") -> list[Sequence[Any]]:
        """The rows as the database returns them (no field converters: callers read plain
        columns, e.g. an SQLite boolean comes back as 0 or 1)."""
        if len(values) != self._arity or not all(isinstance(value, int) for value in values):
            raise TypeError("A prepared read takes its scalar integer values, in order.")
        sql, params, slots = self._compile(using)
        bound = list(params)
        for position, index in slots:
            bound[position] = values[index]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, bound)
            return list(cursor.fetchall())
