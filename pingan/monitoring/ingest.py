"""The ingestion pipeline: one door for HTTP batches and MQTT messages.

    pipeline = Pipeline()                                   # one per process (holds caches and state)
    result = pipeline.ingest_payload(body, device=device, channel="http")
    result = pipeline.ingest_payload(body, device_code="GAS-001", channel="mqtt")
    pipeline.sweep()                                        # time-driven rules (offline, event hold)

A batch is validated item by item (bad items go to the dead-letter table with their reason and never
stop the rest), then in ONE transaction: the sensors' evaluator states are locked and checked against
their stored version (another consumer may have moved them), the readings are evaluated in time order,
stored in bulk (INSERT … ON CONFLICT DO NOTHING; COPY on PostgreSQL), the alarm transitions applied,
and the new states written back. Idempotent: a reading at or before a sensor's last evaluated time
changes no alarm, and the (sensor, ts) key makes a stored replay a no-op.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from django.db import connection, models, transaction
from django.db.models import Count, Max

from pingan.core.models import AuditEvent

from . import rules, signals
from .choices import AlarmState, Channel, DeadLetterReason, DeviceState, SilenceKind
from .models import Alarm, DeadLetter, Device, Reading, Rule, Sensor, SensorState, Silence, hash_token

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
FUTURE_TOLERANCE_S = 300  # a timestamp more than 5 minutes ahead of the server's clock is refused
MIN_TS = 0.0  # before 1970: no sensor of ours measured then; a negative epoch is a device bug
MAX_ITEMS = 5000  # per HTTP request / MQTT message
REFRESH_S = 30.0  # registry and rule caches re-check the tables at most this often


@dataclass(frozen=True)
class SensorInfo:
    id: int
    device_id: int
    device_code: str
    code: str
    name: str
    type: str
    unit: str
    min_value: float | None
    max_value: float | None
    division_id: int
    enterprise_id: int | None
    department_id: int | None


@dataclass
class Result:
    accepted: int = 0
    rejected: int = 0
    raised: int = 0
    cleared: int = 0
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "alarms_raised": self.raised,
            "alarms_cleared": self.cleared,
            "errors": self.errors[:50],
        }


class _Batch:
    """What one transaction will write: the good readings and the dead letters."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.good: list[tuple[SensorInfo, float, float]] = []
        self.dead: list[DeadLetter] = []
        self.dead_per_device: dict[int, int] = defaultdict(int)
        self.seen: set[int] = set()
        self.result = Result()

    def dead_letter(
        self,
        channel: str,
        device_id: int | None,
        code: str,
        reason: str,
        detail: str,
        payload: Any,
        index: int | None = None,
    ) -> None:
        self.dead.append(
            DeadLetter(
                channel=channel,
                device_id=device_id,
                device_code=(code or "")[:64],
                reason=reason,
                detail=detail[:300],
                payload=_dump(payload)[:2000],
            )
        )
        if device_id:
            self.dead_per_device[device_id] += 1
        self.result.rejected += 1
        self.result.errors.append({"index": index, "code": str(reason), "message": detail})


class Registry:
    """Devices and sensors by code, cached; refreshed when the tables change or on a miss."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fingerprint: tuple | None = None
        self.checked = 0.0
        self.sensors: dict[tuple[int, str], SensorInfo] = {}
        self.by_id: dict[int, SensorInfo] = {}
        self.devices: dict[str, tuple[int, str]] = {}  # code -> (id, state)

    def _fp(self) -> tuple:
        # updated_at: an edited device or sensor (department, position, taken out of service) is
        # re-read too, not only an added or removed one.
        s = Sensor.objects.aggregate(n=Count("id"), m=Max("id"), t=Max("updated_at"))
        d = Device.objects.aggregate(n=Count("id"), m=Max("id"), t=Max("updated_at"))
        return (s["n"], s["m"], s["t"], d["n"], d["m"], d["t"])

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.checked < REFRESH_S and self.fingerprint is not None:
            return
        self.checked = now
        fp = self._fp()
        if fp == self.fingerprint and not force:
            return
        sensors, by_id = {}, {}
        rows = Sensor.objects.filter(is_active=True).values_list(*self.FIELDS)
        for row in rows:
            info = SensorInfo(*row)
            sensors[(info.device_id, info.code)] = info
            by_id[info.id] = info
        devices = {code: (pk, state) for pk, code, state in Device.objects.values_list("id", "code", "state")}
        with self.lock:
            self.sensors, self.by_id, self.devices, self.fingerprint = sensors, by_id, devices, fp

    def sensor(self, device_id: int, code: str) -> SensorInfo | None:
        info = self.sensors.get((device_id, code))
        if info is None:  # new since the last refresh? one indexed look-up, then cached
            row = (
                Sensor.objects.filter(device_id=device_id, code=code, is_active=True)
                .values_list(*self.FIELDS)
                .first()
            )
            if row is not None:
                info = SensorInfo(*row)
                with self.lock:
                    self.sensors[(info.device_id, info.code)] = info
                    self.by_id[info.id] = info
        return info

    def device(self, code: str) -> tuple[int, str] | None:
        found = self.devices.get(code)
        if found is None:
            row = Device.objects.filter(code=code).values_list("id", "state").first()
            if row is not None:
                found = self.devices[code] = (row[0], row[1])
        return found

    FIELDS = (
        "id",
        "device_id",
        "device__code",
        "code",
        "name",
        "type",
        "unit",
        "min_value",
        "max_value",
        "division_id",
        "enterprise_id",
        "department_id",
    )


class RuleBook:
    """Compiled rules per sensor: the sensor type's rules, with per-sensor overrides of the same code."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.fingerprint: tuple | None = None
        self.checked = 0.0
        self.by_type: dict[str, dict[str, rules.RuleSpec]] = {}
        self.overrides: dict[int, dict[str, rules.RuleSpec]] = {}
        self.cache: dict[int, tuple[rules.RuleSpec, ...]] = {}
        self.names: dict[int, tuple[str, str]] = {}

    def refresh(self, force: bool = False) -> None:
        # One cheap aggregate per batch: a changed rule applies from the next batch on.
        agg = Rule.objects.aggregate(n=Count("id"), t=Max("updated_at"), m=Max("id"))
        fp = (agg["n"], agg["t"], agg["m"])
        if fp == self.fingerprint and not force:
            return
        by_type: dict[str, dict[str, rules.RuleSpec]] = defaultdict(dict)
        overrides: dict[int, dict[str, rules.RuleSpec]] = defaultdict(dict)
        names = {}
        for pk, code, name, stype, sensor_id, kind, params, enabled in Rule.objects.values_list(
            "id", "code", "name", "sensor_type", "sensor_id", "kind", "params", "enabled"
        ):
            spec = (
                rules.spec_from_params(pk, kind, params or {}, {"code": code, "name": name})
                if enabled
                else None
            )
            names[pk] = (code, name)
            if sensor_id:
                overrides[sensor_id][code] = spec
            else:
                by_type[stype][code] = spec
        self.by_type, self.overrides, self.names, self.cache, self.fingerprint = (
            by_type,
            overrides,
            names,
            {},
            fp,
        )

    def for_sensor(self, info: SensorInfo) -> tuple[rules.RuleSpec, ...]:
        specs = self.cache.get(info.id)
        if specs is None:
            merged = dict(self.by_type.get(info.type, {}))
            merged.update(self.overrides.get(info.id, {}))
            specs = tuple(s for s in merged.values() if s is not None)
            self.cache[info.id] = specs
        return specs


def parse_ts(raw: Any) -> float:
    """Epoch seconds (or milliseconds), or ISO 8601; a naive ISO time is Beijing time."""
    if isinstance(raw, bool):
        raise ValueError("ts")
    if isinstance(raw, int | float):
        value = float(raw)  # an int beyond a float's range raises OverflowError: the caller dead-letters it
        if value > 1e11:
            value /= 1000.0
        if not math.isfinite(value):
            raise ValueError("ts")
        return value
    if isinstance(raw, str):
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=SHANGHAI)
        return dt.timestamp()
    raise ValueError("ts")


def to_dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def store_readings(rows: list[tuple[int, float, float]]) -> None:
    """Insert (sensor_id, ts epoch, value) rows; existing (sensor, ts) pairs are left alone.

    PostgreSQL: COPY into a temporary table, then INSERT … SELECT … ON CONFLICT DO NOTHING.
    Elsewhere: multi-row INSERTs through bulk_create(ignore_conflicts=True).
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = Reading._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS monitoring_reading_load "
                "(sensor_id bigint, ts timestamptz, value double precision) ON COMMIT DELETE ROWS"
            )
            with cur.cursor.copy("COPY monitoring_reading_load (sensor_id, ts, value) FROM STDIN") as copy:
                for sid, ts, value in rows:
                    copy.write_row((sid, to_dt(ts), value))
            cur.execute(
                f"INSERT INTO {table} (sensor_id, ts, value) SELECT sensor_id, ts, value "  # noqa: S608
                "FROM monitoring_reading_load ON CONFLICT DO NOTHING"
            )
            cur.execute("DELETE FROM monitoring_reading_load")
        return
    if connection.vendor == "sqlite":
        # executemany of one prepared INSERT runs in C inside the transaction: the multi-row insert's
        # speed without building model objects. Timestamps in Django's SQLite format (naive UTC text).
        table = Reading._meta.db_table
        texts: dict[float, str] = {}  # readings of one batch share few distinct timestamps
        params = []
        for sid, ts, value in rows:
            text = texts.get(ts)
            if text is None:
                text = texts[ts] = sqlite_ts(ts)
            params.append((sid, text, value))
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {table} (sensor_id, ts, value) VALUES (%s, %s, %s) "  # noqa: S608
                "ON CONFLICT DO NOTHING",
                params,
            )
        return
    Reading.objects.bulk_create(
        [Reading(sensor_id=sid, ts=to_dt(ts), value=value) for sid, ts, value in rows],
        ignore_conflicts=True,
        batch_size=500,
    )


def sqlite_ts(ts: float) -> str:
    """The text Django's SQLite backend stores for this instant (str() of the naive UTC datetime)."""
    return str(datetime.fromtimestamp(ts, UTC).replace(tzinfo=None))


def _compact_json(data: Any) -> str:
    """A state as compact JSON. Every sensor's state is written in every batch it has readings in, so
    this runs as often as readings arrive: orjson writes it several times faster than the standard
    library (a state holds str keys and finite numbers only: the pipeline refuses NaN and
    infinities, and PostgreSQL's jsonb would too), and the text parses back to the same state."""
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()


def upsert_states(
    rows: list[tuple[int, dict, int, int, float | None, float | None, float]], *, only_new: bool = False
) -> None:
    """Write evaluator states (sensor id, data, version, level, last ts, last value, now) in one
    INSERT … ON CONFLICT (sensor_id) DO UPDATE per chunk (SQLite ≥ 3.24 and PostgreSQL)."""
    table = SensorState._meta.db_table
    pg = connection.vendor == "postgresql"
    if connection.vendor not in ("sqlite", "postgresql"):
        SensorState.objects.bulk_create(
            [
                SensorState(
                    sensor_id=sid,
                    data=data,
                    version=ver,
                    level=lvl,
                    last_ts=to_dt(t) if t is not None else None,
                    last_value=v,
                    updated_at=to_dt(now),
                )
                for sid, data, ver, lvl, t, v, now in rows
            ],
            batch_size=500,
            **(
                {"ignore_conflicts": True}
                if only_new
                else {
                    "update_conflicts": True,
                    "unique_fields": ["sensor"],
                    "update_fields": ["data", "version", "level", "last_ts", "last_value", "updated_at"],
                }
            ),
        )
        return
    conv = to_dt if pg else sqlite_ts
    stamps: dict[float, Any] = {}  # the states of one batch share few distinct last times: convert each once

    def when(t: float | None) -> Any:
        if t is None:
            return None
        found = stamps.get(t)
        if found is None:
            found = stamps[t] = conv(t)
        return found

    data_ph = "%s::jsonb" if pg else "%s"
    sql = (
        f"INSERT INTO {table} (sensor_id, data, version, level, last_ts, last_value, updated_at) "  # noqa: S608
        f"VALUES (%s, {data_ph}, %s, %s, %s, %s, %s) ON CONFLICT (sensor_id) "
    )
    sql += (
        "DO NOTHING"
        if only_new
        else (
            "DO UPDATE SET data = excluded.data, version = excluded.version, level = excluded.level, "
            "last_ts = excluded.last_ts, last_value = excluded.last_value, updated_at = excluded.updated_at"
        )
    )
    encode = _compact_json
    params = [(sid, encode(data), ver, lvl, when(t), v, when(now)) for sid, data, ver, lvl, t, v, now in rows]
    with connection.cursor() as cur:
        if pg and len(params) > 200:
            # Many states: COPY them into a temporary table and upsert from it in one statement.
            cols = "sensor_id, data, version, level, last_ts, last_value, updated_at"
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS monitoring_state_load (sensor_id bigint, data jsonb, "
                "version bigint, level smallint, last_ts timestamptz, last_value double precision, "
                "updated_at timestamptz) ON COMMIT DELETE ROWS"
            )
            with cur.cursor.copy(f"COPY monitoring_state_load ({cols}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
            tail = sql[sql.index("ON CONFLICT") :]
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM monitoring_state_load {tail}")  # noqa: S608
            cur.execute("DELETE FROM monitoring_state_load")
            return
        cur.executemany(sql, params)


class Pipeline:
    def __init__(self, channel: str = Channel.HTTP, *, notify_alarms: bool = True) -> None:
        self.channel = channel
        self.registry = Registry()
        self.rulebook = RuleBook(self.registry)
        self.states: dict[int, tuple[int, dict]] = {}  # sensor id -> (version, state)
        self.notify_alarms = notify_alarms
        self._silence_checked = 0.0
        self._silences: list[tuple] = []

    # --- entry points ---------------------------------------------------------------------------
    def ingest_payload(
        self,
        body: bytes | str | list | dict,
        *,
        device: Device | None = None,
        device_code: str | None = None,
        channel: str | None = None,
    ) -> Result:
        """Parse one HTTP body or MQTT payload and ingest it (one transaction)."""
        return self.ingest_messages([(device, device_code, body)], channel=channel)

    def ingest_messages(
        self,
        messages: list[tuple[Device | None, str | None, Any]],
        *,
        channel: str | None = None,
        now: float | None = None,
    ) -> Result:
        """Many messages (device or device code, payload) in ONE transaction — the MQTT consumer's batch."""
        channel = channel or self.channel
        now = time.time() if now is None else now
        self.registry.refresh()
        batch = _Batch(now)
        for device, device_code, body in messages:
            self._parse(batch, device, device_code, body, channel)
        self._commit(batch)
        return batch.result

    def ingest_items(
        self,
        device_id: int,
        device_code: str,
        items: list,
        *,
        channel: str | None = None,
        now: float | None = None,
    ) -> Result:
        now = time.time() if now is None else now
        batch = _Batch(now)
        self._validate(batch, device_id, device_code, items, channel or self.channel)
        self._commit(batch)
        return batch.result

    def _parse(
        self, batch: _Batch, device: Device | None, device_code: str | None, body: Any, channel: str
    ) -> None:
        dev = self._device(device, device_code)
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        if dev is None:
            return batch.dead_letter(
                channel, None, device_code or "", DeadLetterReason.UNKNOWN_DEVICE, "no such device", text
            )
        dev_id, dev_code, dev_state = dev
        if dev_state == DeviceState.RETIRED:
            return batch.dead_letter(
                channel, dev_id, dev_code, DeadLetterReason.RETIRED, "device retired", text
            )
        if isinstance(text, str):
            try:
                data = json.loads(text)
            except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested thousands deep
                return batch.dead_letter(
                    channel, dev_id, dev_code, DeadLetterReason.BAD_JSON, str(exc)[:300], text
                )
        else:
            data = text
        if isinstance(data, dict):
            data = data.get("readings", [data]) if "readings" in data or "sensor" in data else None
        if not isinstance(data, list):
            return batch.dead_letter(
                channel,
                dev_id,
                dev_code,
                DeadLetterReason.BAD_SHAPE,
                "expected a JSON array of readings",
                text,
            )
        if len(data) > MAX_ITEMS:
            return batch.dead_letter(
                channel,
                dev_id,
                dev_code,
                DeadLetterReason.BAD_SHAPE,
                f"more than {MAX_ITEMS} items in one message",
                "",
            )
        self._validate(batch, dev_id, dev_code, data, channel)

    def _validate(self, batch: _Batch, device_id: int, device_code: str, items: list, channel: str) -> None:
        now = batch.now
        for i, item in enumerate(items):
            problem = None
            if not isinstance(item, dict) or not isinstance(item.get("sensor"), str):
                problem = (DeadLetterReason.BAD_SHAPE, "item needs a 'sensor' code")
            else:
                info = self.registry.sensor(device_id, item["sensor"])
                if info is None:
                    problem = (DeadLetterReason.UNKNOWN_SENSOR, f"unknown sensor {item['sensor'][:64]}")
                else:
                    problem, ts, value = self._check(info, item, now)
            if problem:
                batch.dead_letter(channel, device_id, device_code, problem[0], problem[1], item, index=i)
            else:
                batch.good.append((info, ts, value))
                batch.seen.add(device_id)

    def _commit(self, batch: _Batch) -> None:
        good, result, now = batch.good, batch.result, batch.now
        try:
            with _gc_paused(), transaction.atomic():
                if good:
                    self._process(good, result, now)
                if batch.dead:
                    DeadLetter.objects.bulk_create(batch.dead)
                    for device_id, n in batch.dead_per_device.items():
                        Device.objects.filter(pk=device_id).update(
                            dead_letter_count=models.F("dead_letter_count") + n
                        )
                if batch.seen:
                    Device.objects.filter(pk__in=batch.seen).exclude(
                        state__in=[DeviceState.MAINTENANCE, DeviceState.RETIRED]
                    ).update(last_seen_at=to_dt(now), state=DeviceState.ONLINE)
        except Exception:
            self.invalidate()
            raise
        result.accepted = len(good)

    def ingest_many(self, batch: list[tuple[int, float, float]], *, now: float | None = None) -> Result:
        """Already-validated (sensor id, ts, value) rows from many devices (the MQTT consumer's and the
        benchmark's batches): one transaction for all."""
        self.registry.refresh()
        now = time.time() if now is None else now
        result = Result()
        with _gc_paused():
            good = [(self.registry.by_id[sid], ts, v) for sid, ts, v in batch]
            try:
                with transaction.atomic():
                    self._process(good, result, now)
                    devices = {g[0].device_id for g in good}
                    Device.objects.filter(pk__in=devices).exclude(
                        state__in=[DeviceState.MAINTENANCE, DeviceState.RETIRED]
                    ).update(last_seen_at=to_dt(now), state=DeviceState.ONLINE)
            except Exception:
                self.invalidate()
                raise
        result.accepted = len(good)
        return result

    def sweep(self, now: float | None = None) -> Result:
        """Time-driven rules: raise 'no data' (offline) and clear events past their hold time."""
        now = time.time() if now is None else now
        self.registry.refresh()
        self.rulebook.refresh()
        result = Result()
        timed: dict[int, SensorInfo] = {}
        shortest = None
        for info in self.registry.by_id.values():
            specs = [s for s in self.rulebook.for_sensor(info) if s.kind in ("nodata", "event")]
            if specs:
                timed[info.id] = info
                for s in specs:
                    if s.kind == "nodata":
                        shortest = s.nodata_seconds if shortest is None else min(shortest, s.nodata_seconds)
        # Only sensors that may be due: silent for the shortest no-data time (or never heard from), or
        # holding a level (an event waiting to clear) — the rest are not locked or loaded at all.
        cutoff = to_dt(now - (shortest if shortest is not None else 0))
        known = set()
        due = set()
        for sid, last_ts, level in (
            SensorState.objects.filter(sensor_id__in=list(timed))
            .values_list("sensor_id", "last_ts", "level")
            .iterator(chunk_size=5000)
        ):
            known.add(sid)
            if level or last_ts is None or (shortest is not None and last_ts < cutoff):
                due.add(sid)
        due |= set(timed) - known
        candidates = [timed[sid] for sid in sorted(due)]
        if not candidates:
            return result
        try:
            with transaction.atomic():
                states = self._lock_states([c.id for c in candidates])
                transitions: list[tuple[SensorInfo, tuple]] = []
                changed: set[int] = set()
                for info in candidates:
                    state = states[info.id]
                    before = json.dumps(state, sort_keys=True)
                    for t in rules.sweep(self.rulebook.for_sensor(info), state, now):
                        transitions.append((info, t))
                    if json.dumps(state, sort_keys=True) != before:
                        changed.add(info.id)
                self._apply(transitions, result, now)
                self._save_states(changed, states, now)
                offline = {
                    info.device_id
                    for info, t in transitions
                    if t[1] == rules.RAISE and self.rulebook.names.get(t[0], ("",))[0] == "nodata"
                }
                if offline:
                    Device.objects.filter(pk__in=offline, state=DeviceState.ONLINE).update(
                        state=DeviceState.OFFLINE
                    )
        except Exception:
            self.invalidate()
            raise
        return result

    # --- internals ------------------------------------------------------------------------------
    def _device(self, device: Device | None, code: str | None) -> tuple[int, str, str] | None:
        if device is not None:
            return device.pk, device.code, device.state
        found = self.registry.device(code or "")
        return (found[0], code, found[1]) if found else None

    def _check(self, info: SensorInfo, item: dict, now: float) -> tuple[tuple | None, float, float]:
        # Every refusal here is a dead letter for this one item; nothing in an item may raise, or the
        # whole batch (and on MQTT the whole message with its good readings) would be lost.
        try:
            ts = parse_ts(item.get("ts", now))
        except (ValueError, TypeError, OverflowError):
            return (DeadLetterReason.BAD_TS, "ts must be epoch seconds or ISO 8601"), 0.0, 0.0
        if ts > now + FUTURE_TOLERANCE_S:
            # Not formatted as a date: a timestamp like 1e17 has no year datetime can hold.
            return (DeadLetterReason.FUTURE_TS, f"ts {ts:.0f} is in the future"), 0.0, 0.0
        if ts < MIN_TS:
            return (DeadLetterReason.BAD_TS, f"ts {ts:.0f} is before 1970"), 0.0, 0.0
        if "event" in item and "value" not in item:
            value: Any = 1.0
        else:
            value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return (DeadLetterReason.BAD_SHAPE, "value must be a finite number"), 0.0, 0.0
        try:
            value = float(value)  # an int of 400 digits overflows here
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            return (DeadLetterReason.BAD_SHAPE, "value must be a finite number"), 0.0, 0.0
        unit = item.get("unit")
        if unit is not None and info.unit and unit != info.unit:
            return (DeadLetterReason.WRONG_UNIT, f"unit {str(unit)[:12]} ≠ {info.unit}"), 0.0, 0.0
        if (info.min_value is not None and value < info.min_value) or (
            info.max_value is not None and value > info.max_value
        ):
            return (
                (
                    DeadLetterReason.IMPOSSIBLE_VALUE,
                    f"value {value} outside {info.min_value}..{info.max_value}",
                ),
                0.0,
                0.0,
            )
        return None, ts, float(value)

    def _lock_states(self, sensor_ids: list[int]) -> dict[int, dict]:
        """The states of these sensors, current with the database (and locked on PostgreSQL)."""
        ids = sorted(set(sensor_ids))
        versions = self._versions(ids)
        missing = [sid for sid in ids if sid not in versions]
        if missing:
            upsert_states([(sid, {}, 0, 0, None, None, time.time()) for sid in missing], only_new=True)
            versions.update(self._versions(missing))
        stale = [sid for sid in ids if self.states.get(sid, (-1, None))[0] != versions.get(sid)]
        for chunk in _chunks(stale, 900):
            for sid, version, data in SensorState.objects.filter(sensor_id__in=chunk).values_list(
                "sensor_id", "version", "data"
            ):
                self.states[sid] = (version, data or {})
        return {sid: self.states[sid][1] for sid in ids}

    def _versions(self, ids: list[int]) -> dict[int, int]:
        versions: dict[int, int] = {}
        if len(ids) > 5000:
            # A batch touching most sensors: one scan beats many IN lists.
            # A plain cursor: ten thousand pairs a batch through the ORM's iterator cost a tenth of the
            # evaluation's time.
            wanted = set(ids)
            table = SensorState._meta.db_table
            lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
            with connection.cursor() as cur:
                cur.execute(f"SELECT sensor_id, version FROM {table} ORDER BY sensor_id{lock}")  # noqa: S608
                for sid, version in cur.fetchall():
                    if sid in wanted:
                        versions[sid] = version
            return versions
        for chunk in _chunks(ids, 900):
            versions.update(
                SensorState.objects.select_for_update()
                .filter(sensor_id__in=chunk)
                .order_by("sensor_id")
                .values_list("sensor_id", "version")
            )
        return versions

    def _active_silences(self, now: float) -> list[tuple]:
        if time.monotonic() - self._silence_checked > 10.0:
            dt = to_dt(now)
            self._silences = list(
                Silence.objects.filter(starts_at__lte=dt, ends_at__gt=dt).values_list(
                    "kind", "device_id", "sensor_id", "division__path", "ends_at"
                )
            )
            self._silence_checked = time.monotonic()
        return self._silences

    def _silenced(self, info: SensorInfo, now: float, division_paths: dict[int, str]) -> str | None:
        for kind, device_id, sensor_id, path, ends_at in self._active_silences(now):
            if ends_at.timestamp() <= now:
                continue
            if sensor_id and sensor_id != info.id:
                continue
            if device_id and device_id != info.device_id:
                continue
            if not sensor_id and not device_id:
                if not division_paths.get(info.division_id, "").startswith(path):
                    continue
            return kind
        return None

    def _process(self, good: list[tuple[SensorInfo, float, float]], result: Result, now: float) -> None:
        self.rulebook.refresh()
        # By sensor, then time (two stable sorts: the same order as one sort on (id, ts) without a key tuple
        # per reading).
        good.sort(key=_ts_of)
        good.sort(key=_sensor_id_of)
        states = self._lock_states([g[0].id for g in good])
        silences = self._active_silences(now)
        maintenance: set[int] = set()
        if silences:
            paths = _division_paths({g[0].division_id for g in good})
            maintenance = {
                g[0].id for g in good if self._silenced(g[0], now, paths) == SilenceKind.MAINTENANCE
            }
        transitions: list[tuple[SensorInfo, tuple]] = []
        rows = []
        for_sensor = self.rulebook.for_sensor
        evaluate = rules.evaluate
        append, add = rows.append, transitions.append
        last_id, specs, st, held = None, (), {}, False
        for info, ts, value in good:
            sid = info.id
            append((sid, ts, value))
            if sid != last_id:  # sorted by sensor: its rules, state and silence once per run of readings
                last_id, specs, st, held = sid, for_sensor(info), states[sid], sid in maintenance
            if held:
                if st.get("t") is None or ts > st["t"]:
                    st["t"], st["v"] = ts, value
                continue
            for t in evaluate(specs, st, ts, value):
                add((info, t))
        store_readings(rows)
        self._apply(transitions, result, now)
        # Rainstorm signals and water levels over threshold, for listeners (warnings) after commit.
        signals.send_on_commit(transitions, self.rulebook.names, states)
        self._save_states({g[0].id for g in good}, states, now)

    def _save_states(self, sensor_ids: set[int], states: dict[int, dict], now: float) -> None:
        if not sensor_ids:
            return
        rows = []
        # A time-based version (µs), always above the previous one: two processes, or a state
        # rolled back with its transaction, never share a version number by accident.
        stamp = time.time_ns() // 1000
        level_of = rules.state_level
        for sid in sensor_ids:
            data = states[sid]
            version = max(self.states.get(sid, (0, None))[0] + 1, stamp)
            self.states[sid] = (version, data)
            rows.append((sid, data, version, level_of(data), data.get("t"), data.get("v"), now))
        upsert_states(rows)

    def invalidate(self) -> None:
        """Forget the cached states (after a failed transaction)."""
        self.states.clear()

    def _apply(self, transitions: list[tuple[SensorInfo, tuple]], result: Result, now: float) -> None:
        if not transitions:
            return
        from .actions import alarm_title, start_escalations

        sensor_ids = {info.id for info, _t in transitions}
        active: dict[tuple[int, int], Alarm] = {}
        for chunk in _chunks(sorted(sensor_ids), 900):
            for alarm in Alarm.objects.filter(is_active=True, sensor_id__in=chunk):
                active[(alarm.sensor_id, alarm.rule_id)] = alarm
        new: list[Alarm] = []
        changed: dict[int, Alarm] = {}
        events: list[tuple[str, Alarm, dict]] = []
        paths: dict[int, str] | None = None
        for info, (rule_id, kind, level, ts, value) in transitions:
            key = (info.id, rule_id)
            alarm = active.get(key)
            when = to_dt(ts)
            val = None if isinstance(value, float) and math.isnan(value) else value
            if kind in (rules.RAISE, rules.UP) and alarm is None:
                if paths is None:
                    paths = _division_paths({i.division_id for i, _t in transitions})
                silenced = (
                    self._silenced(info, now, paths) is not None if self._active_silences(now) else False
                )
                alarm = Alarm(
                    sensor_id=info.id,
                    rule_id=rule_id,
                    severity=level,
                    level=level,
                    state=AlarmState.ACTIVE_UNACK,
                    is_active=True,
                    raised_at=when,
                    updated_at=when,
                    trigger_value=val,
                    last_value=val,
                    division_id=info.division_id,
                    enterprise_id=info.enterprise_id,
                    department_id=info.department_id,
                    silenced=silenced,
                    title=alarm_title(
                        info,
                        self.rulebook.names.get(rule_id, ("", ""))[1],
                        level,
                        self._label(info, rule_id, level),
                    ),
                )
                active[key] = alarm
                new.append(alarm)
                result.raised += 1
                continue
            if alarm is None:
                continue  # a clear or a lowering for an alarm closed by hand: nothing to do
            alarm.level = level
            alarm.last_value = val
            alarm.updated_at = when
            if kind == rules.UP and level > alarm.severity:
                alarm.severity = level
                alarm.title = alarm_title(
                    info,
                    self.rulebook.names.get(rule_id, ("", ""))[1],
                    level,
                    self._label(info, rule_id, level),
                )
                events.append(("monitoring.alarm.raise_severity", alarm, {"severity": level}))
            elif kind == rules.CLEAR:
                alarm.set_state(AlarmState.CLEARED_ACK if alarm.acknowledged else AlarmState.CLEARED_UNACK)
                alarm.cleared_at = when
                alarm.next_escalation_at = None
                del active[key]
                result.cleared += 1
                events.append(("monitoring.alarm.clear", alarm, {"state": alarm.state, "value": val}))
            if alarm.pk:
                changed[alarm.pk] = alarm
        if changed:  # first: an alarm cleared in this batch must be inactive before its successor is inserted
            _update_alarms(list(changed.values()))
        if new:
            Alarm.objects.bulk_create(new, batch_size=300)
            if new[0].pk is None:  # a backend that does not return ids: read them back
                _fill_ids(new)
            for alarm in new:
                events.insert(
                    0,
                    (
                        "monitoring.alarm.raise",
                        alarm,
                        {"severity": alarm.severity, "value": alarm.trigger_value},
                    ),
                )
        if events:
            _audit_bulk(events, self._paths_for([a for _e, a, _d in events]))
        if self.notify_alarms:
            # The whole batch at once: policies, steps and triage modes read once, one UPDATE.
            start_escalations(
                [a for a in new if a.is_active and not a.silenced],
                now=to_dt(now),
                sensor_types={info.id: info.type for info, _t in transitions},
                paths=_division_paths({a.division_id for a in new}),
            )

    def _label(self, info: SensorInfo, rule_id: int, level: int) -> str:
        for spec in self.rulebook.for_sensor(info):
            if spec.id == rule_id:
                return rules.level_label(spec, level)
        return ""

    def _paths_for(self, alarms: list[Alarm]) -> dict[int, str]:
        return _division_paths({a.division_id for a in alarms})


_path_cache: dict[int, str] = {}


def _division_paths(ids: set[int]) -> dict[int, str]:
    from pingan.geo.models import Division

    missing = [i for i in ids if i not in _path_cache]
    if missing:
        _path_cache.update(Division.objects.filter(pk__in=missing).values_list("id", "path"))
    return _path_cache


ALARM_UPDATE = [
    "severity",
    "level",
    "state",
    "is_active",
    "last_value",
    "title",
    "updated_at",
    "cleared_at",
    "next_escalation_at",
]


def _update_alarms(alarms: list[Alarm]) -> None:
    """The machine-made changes of many alarms: one prepared UPDATE run with executemany (Django's
    bulk_update builds a CASE expression per field, which costs more than the rows)."""
    adapt = connection.ops.adapt_datetimefield_value
    table = Alarm._meta.db_table
    sql = f"UPDATE {table} SET " + ", ".join(f"{f} = %s" for f in ALARM_UPDATE) + " WHERE id = %s"  # noqa: S608
    params = [
        (
            a.severity,
            a.level,
            a.state,
            a.is_active,
            a.last_value,
            a.title,
            adapt(a.updated_at),
            adapt(a.cleared_at),
            adapt(a.next_escalation_at),
            a.pk,
        )
        for a in alarms
    ]
    with connection.cursor() as cur:
        cur.executemany(sql, params)


def _fill_ids(alarms: list[Alarm]) -> None:
    for alarm in alarms:
        alarm.pk = (
            Alarm.objects.filter(sensor_id=alarm.sensor_id, rule_id=alarm.rule_id, raised_at=alarm.raised_at)
            .order_by("-id")
            .values_list("id", flat=True)[0]
        )


def _audit_bulk(events: list[tuple[str, Alarm, dict]], paths: dict[int, str]) -> None:
    """Machine transitions of alarms (raise, raise severity, clear) as append-only audit events,
    written with one prepared INSERT (executemany) — there can be many per batch. Chained like
    every audit event (pingan.core.models.seal_rows: under the chain's lock, in insert order)."""
    from django.contrib.contenttypes.models import ContentType

    from pingan.core.context import current_origin
    from pingan.core.models import seal_rows

    ct = ContentType.objects.get_for_model(Alarm).pk
    origin = current_origin()
    channel = "device" if origin.channel == "system" else origin.channel
    adapt = connection.ops.adapt_datetimefield_value
    json_ph = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    table = AuditEvent._meta.db_table
    sql = (
        f"INSERT INTO {table} (at, actor_label, action, content_type_id, object_id, object_repr, "  # noqa: S608
        f"division_path, after, note, channel, ip, request_id, prev_hash, hash) VALUES (%s, '', %s, %s, %s, %s, %s, "  # noqa: E501
        f"{json_ph}, '', %s, %s, %s, %s, %s)"
    )
    rows = [
        {
            "at": alarm.raised_at if action == "monitoring.alarm.raise" else alarm.updated_at,
            "actor_id": None,
            "actor_label": "",
            "action": action,
            "content_type_id": ct,
            "object_id": str(alarm.pk),
            "object_repr": str(alarm)[:200],
            "division_path": paths.get(alarm.division_id, ""),
            "before": None,
            "after": data,
            "note": "",
            "channel": channel,
            "ip": origin.ip,
            "request_id": origin.request_id,
        }
        for action, alarm, data in events
    ]
    seal_rows(rows, connection.alias)
    params = [
        (
            adapt(r["at"]),
            r["action"],
            ct,
            r["object_id"],
            r["object_repr"],
            r["division_path"],
            json.dumps(r["after"], ensure_ascii=False),
            channel,
            origin.ip,
            origin.request_id,
            r["prev_hash"],
            r["hash"],
        )
        for r in rows
    ]
    with connection.cursor() as cur:
        cur.executemany(sql, params)


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while one batch is processed. A batch keeps tens of thousands of
    small objects alive until its commit (readings with their sensor, evaluator states, alarms); the
    collector promotes them and then runs full collections over the whole heap several times per batch
    (profiled: a fifth of the pipeline's time) only to find nothing to free. Reference counting still
    frees everything as usual; cycles made during the batch are collected after it. If the collector was
    already off (the application's choice), it stays off."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ts_of(g: tuple[SensorInfo, float, float]) -> float:
    return g[1]


def _sensor_id_of(g: tuple[SensorInfo, float, float]) -> int:
    return g[0].id


def _chunks(seq: list, n: int):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _dump(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def device_for_token(token: str) -> Device | None:
    if not token:
        return None
    return Device.objects.filter(token_hash=hash_token(token)).first()
