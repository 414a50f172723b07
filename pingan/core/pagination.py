# Kept apart from core.api: DRF imports the pagination class while its own viewsets module is still
# loading, so this module must not import rest_framework.viewsets.
from typing import Any

from django.core.exceptions import EmptyResultSet
from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class KeysetPagination(Pagination):
    """Pages of a list ordered newest first by (created_at, id), for tables of millions of rows.

    - `after=<cursor>` continues after the last row of the previous page with a keyset condition
      (`created_at < t OR (created_at = t AND id < i)`), which an index on (created_at, id) answers in
      the same time on page 1 and page 20,000; `next` is always such a link. Ties on created_at are
      broken by id, so no row is skipped or repeated.
    - `page=N` still works (offset; for old clients and short lists), with `previous`.
    - `count` is exact up to COUNT_CAP (1,000: twenty pages); past it `count_capped` is true and, on
      PostgreSQL, `count` is the planner's estimate for the same filters (`count_estimated`; pg_class's
      row count when unfiltered) — elsewhere the cap. Counting a million rows exactly costs more than
      the page (measured: a 10,000-capped count 390 ms, the page 1 ms, see docs/operations.md).
    """

    COUNT_CAP = 1_000
    cursor_query_param = "after"
    keyset = ("created_at", "id")

    def paginate_queryset(self, queryset, request, view=None):  # type: ignore[no-untyped-def]
        from pingan.core.params import BadParameter

        self.request = request
        self.page_size = self.get_page_size(request) or self.page_size
        self.after = request.query_params.get(self.cursor_query_param)
        self.page_number = None
        fields = list(getattr(queryset, "_fields", None) or ())
        if not all(k in fields for k in self.keyset):
            raise ValueError(f"KeysetPagination needs values_list() holding {self.keyset}")
        self._at = [fields.index(k) for k in self.keyset]
        # The view may hand over the filtered queryset before values() added its joins: cheaper to count.
        counted = getattr(view, "count_queryset", None)
        self.count, self.count_capped, self.count_estimated = self._count(
            counted if counted is not None else queryset
        )
        if self.after:
            created, pk = self.decode(self.after)
            if created is None:
                raise BadParameter(self.cursor_query_param)
            rows = queryset.filter(created_at__lte=created).exclude(created_at=created, id__gte=pk)
            rows = list(rows[: self.page_size + 1])
        else:
            from pingan.core.params import int_param

            number = int_param(request.query_params, "page", default=1, minimum=1, maximum=10**6)
            self.page_number = number if isinstance(number, int) else 1
            start = (self.page_number - 1) * self.page_size
            rows = list(queryset[start : start + self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        self.rows = rows[: self.page_size]
        return self.rows

    def _count(self, queryset: Any) -> tuple[int, bool, bool]:
        return page_count(queryset, self.COUNT_CAP)

    @staticmethod
    def encode(created, pk) -> str:  # type: ignore[no-untyped-def]
        """`<microseconds since the epoch, UTC>_<id>`: opaque to clients, readable in logs."""
        import datetime as dt

        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        delta = created - epoch
        micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}_{pk}"

    @staticmethod
    def decode(value: str):  # type: ignore[no-untyped-def]
        import datetime as dt

        from pingan.core.params import MAX_ID

        micros, _sep, pk = str(value).partition("_")
        try:
            m, i = int(micros), int(pk)
            if not (1 <= i <= MAX_ID) or abs(m) > 10**17:
                return None, None
            return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=m), i
        except (ValueError, OverflowError):
            return None, None

    def get_next_link(self) -> str | None:
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        if not self.has_next or not self.rows:
            return None
        last = self.rows[-1]
        assert self.request is not None
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(
            url, self.cursor_query_param, self.encode(last[self._at[0]], last[self._at[1]])
        )

    def get_previous_link(self) -> str | None:
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        if self.page_number is None or self.page_number <= 1 or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        if self.page_number == 2:
            return remove_query_param(url, "page")
        return replace_query_param(url, "page", self.page_number - 1)

    def get_paginated_response(self, data):  # type: ignore[no-untyped-def]
        from rest_framework.response import Response

        body = {
            "count": self.count,
            "count_capped": self.count_capped,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        }
        if self.count_estimated:
            body["count_estimated"] = True
        return Response(body)

    def get_paginated_response_schema(self, schema):  # type: ignore[no-untyped-def]
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count_capped"] = {"type": "boolean"}
        out["properties"]["count_estimated"] = {"type": "boolean"}
        out["required"] = [*out.get("required", []), "count_capped"]
        return out

    def get_schema_operation_parameters(self, view):  # type: ignore[no-untyped-def]
        params = super().get_schema_operation_parameters(view)
        params.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "cursor from `next` (keyset pagination)",
                "schema": {"type": "string"},
            }
        )
        return params


# --- Counting without the ORM's aggregate machinery ----------------------------------------------
# Django's `qs[:n].count()` builds an aggregate query around the sliced one (get_aggregation), which
# cost a list request more CPU than the SQL itself; the same statement, written out, costs a cursor.


def ids_sql(queryset: Any) -> tuple[str, Any]:
    """The SQL (and parameters) selecting the ids of `queryset`, unordered."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return str(sql), params


def capped_count_sql(sql: str, params: Any, limit: int) -> int:
    """How many rows `sql` selects, counting no further than `limit` (the database stops there)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT {int(limit)}) capped", params)  # noqa: S608
        return int(cur.fetchone()[0])


def capped_count(queryset: Any, limit: int) -> int:
    """`min(queryset.count(), limit)`, reading at most `limit` rows (an index-only range where one fits)."""
    try:
        sql, params = ids_sql(queryset)
    except EmptyResultSet:  # nothing can match (an empty IN list): the ORM's count() says 0 too
        return 0
    return capped_count_sql(sql, params, limit)


class CompiledSelect:
    """A `values_list()` queryset compiled once, then run, counted or wrapped in further SQL as it
    is. The ORM compiles a statement anew for each use (a count, then the rows, then an aggregate
    over the same filters), and on the map and list endpoints those compilations cost more CPU than
    the database spends answering (decision 0020); compiled once, the scope and the filters are still
    the queryset's own (`visible_to`), only their SQL is reused.

    `empty` is true when the filters can match nothing by construction (an empty IN list): the ORM
    then sends no SQL at all, and neither does this."""

    def __init__(self, queryset: Any) -> None:
        from django.db import connections

        self.connection = connections[queryset.db]
        self.compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = self.compiler.as_sql()
        except EmptyResultSet:
            self.sql, self.params, self.empty = "", (), True
        else:
            self.sql, self.params, self.empty = str(sql), tuple(params), False

    def rows(self) -> list[tuple[Any, ...]]:
        """The rows, converted as the ORM converts them (datetimes on SQLite, for one)."""
        if self.empty:
            return []
        with self.connection.cursor() as cur:
            cur.execute(self.sql, self.params)
            fetched = cur.fetchall()
        return list(self.compiler.results_iter(results=[fetched], tuple_expected=True))

    def count(self, limit: int) -> int:
        """How many rows, counting no further than `limit` (the database stops there)."""
        return 0 if self.empty else capped_count_sql(self.sql, self.params, limit)

    def wrap(self, select: str, params: Any = (), tail: str = "") -> list[tuple[Any, ...]]:
        """`SELECT <select> FROM (<this>) c <tail>`: an aggregate over the same rows, raw values.
        `params` are the placeholders of `select`; `tail` (GROUP BY, ORDER BY) takes none."""
        if self.empty:
            return []
        with self.connection.cursor() as cur:
            cur.execute(f"SELECT {select} FROM ({self.sql}) c {tail}", (*params, *self.params))  # noqa: S608
            return list(cur.fetchall())


def page_count(queryset: Any, cap: int) -> tuple[int, bool, bool]:
    """(count, capped, estimated) of a list: exact up to `cap` (a LIMITed count stops there); past
    it, on PostgreSQL, the planner's estimate for the same WHERE (EXPLAIN, no rows read) — pg_class's
    row count when there is no WHERE at all; elsewhere the cap."""
    from django.db import connection

    qs = queryset.order_by()
    if connection.vendor == "postgresql" and not qs.query.where:
        estimate = _table_estimate(qs.model._meta.db_table)
        if estimate > cap:
            return estimate, True, True
    # The ids' SELECT compiled once, counted and (past the cap) explained as it is.
    try:
        sql, params = ids_sql(qs)
    except EmptyResultSet:  # a filter that matches nothing by construction (an empty IN list)
        return 0, False, False
    n = capped_count_sql(sql, params, cap + 1)
    if n <= cap:
        return n, False, False
    if connection.vendor == "postgresql":
        return max(plan_estimate_sql(sql, params), n), True, True
    return cap, True, False


def _table_estimate(table: str) -> int:
    """PostgreSQL's row count of a whole table (pg_class, kept by ANALYZE and autovacuum)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cur.fetchone()
    return int(row[0]) if row and row[0] else 0


def plan_estimate_sql(sql: str, params: Any) -> int:
    """PostgreSQL's estimate of how many rows `sql` selects (EXPLAIN: no row is read)."""
    import json

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
