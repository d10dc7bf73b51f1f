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
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # Django internal, as ModelIterable uses it

# Stand-ins: distinct per position, within every integer column's range (Django answers an
# out-of-range lookup with "no rows" instead of SQL), and no value the queries here hold.
_STAND_IN_BASE = 2_047_483_001


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: list[Any]
    slots: list[tuple[int, int]]  # (position among the parameters, index of the value)
    compiler: Any  # Django's SQLCompiler after as_sql(): its select list, converters, klass_info


class PreparedRead:
    def __init__(self, build: Callable[..., QuerySet[Any, Any]], arity: int) -> None:
        self._build = build
        self._arity = arity
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            stand_ins = [_STAND_IN_BASE + index for index in range(self._arity)]
            queryset = self._build(*stand_ins)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            params = list(params)
            slots = [(position, stand_ins.index(value)) for position, value in enumerate(params)
                     if isinstance(value, int) and not isinstance(value, bool) and value in stand_ins]
            if {index for _position, index in slots} != set(range(self._arity)):
                raise ValueError("Every value of a prepared read must reach the SQL as a parameter.")
            compiled = _Compiled(sql, params, slots, compiler)
            self._compiled[key] = compiled
        return compiled

    def _fetch(self, values: tuple[int, ...], using: str) -> tuple[_Compiled, list[Sequence[Any]]]:
        if len(values) != self._arity or not all(isinstance(value, int) and not isinstance(value, bool) for value in values):
            raise TypeError("A prepared read takes its scalar integer values, in order.")
        if not all(-(2**63) <= value < 2**63 for value in values):
            raise ValueError("A prepared read's values fit in 64 bits (callers turn larger keys away first).")
        compiled = self._compile(using)
        bound = list(compiled.params)
        for position, index in compiled.slots:
            bound[position] = values[index]
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, bound)
            return compiled, list(cursor.fetchall())

    def rows(self, *values: int, using: str = "default") -> list[Sequence[Any]]:
        """The rows as the database returns them (no field converters: callers read plain
        columns, e.g. an SQLite boolean comes back as 0 or 1)."""
        return self._fetch(values, using)[1]

    def instances(self, *values: int, using: str = "default") -> list[Model]:
        """Model instances, built as a QuerySet builds them (Django's field converters, deferred
        fields, select_related objects): the queryset must be a plain model queryset."""
        compiled, rows = self._fetch(values, using)
        compiler = compiled.compiler
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None or compiler.annotation_col_map:
            raise TypeError("instances() reads a plain model queryset (use rows() for values).")
        model_cls = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        objects = []
        for row in compiler.results_iter(results=[rows]):
            obj = model_cls.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects
