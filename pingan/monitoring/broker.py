"""A private Mosquitto for the benchmarks and the MQTT tests, started from the checked-in config.

`bench/mosquitto.conf` carries the production-like settings (in-flight window, queue sizes,
persistence); this copies it with another port and a private persistence folder, and runs
`mosquitto -c` on the copy — never the system broker, which other people use.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent.parent / "bench" / "mosquitto.conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def available() -> bool:
    return shutil.which("mosquitto") is not None and CONFIG.exists()


class PrivateBroker:
    """`with PrivateBroker(port) as b:` … `b.url`; `b.restart()` stops it (saving its sessions, as a
    broker restart in production does) and starts it again on the same port and persistence."""

    def __init__(self, port: int | None = None, config: Path = CONFIG) -> None:
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="pingan-mosquitto-"))
        # Started as root, mosquitto drops to its own user: it must be able to write its persistence
        # file and log here (a private temporary folder).
        self.dir.chmod(0o777)
        text = config.read_text()
        text = re.sub(r"(?m)^listener\s+\d+", f"listener {self.port}", text)
        text = re.sub(r"(?m)^persistence_location\s+.*$", f"persistence_location {self.dir}/", text)
        text += f"\nlog_dest file {self.dir / 'mosquitto.log'}\n"
        self.config = self.dir / "mosquitto.conf"
        self.config.write_text(text)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> PrivateBroker:
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken: pick another for the private broker")
        self.proc = subprocess.Popen(
            ["mosquitto", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mosquitto did not start; see {self.dir / 'mosquitto.log'}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # saves the persistent sessions and their messages
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self, down: float = 0.5) -> None:
        self.stop()
        time.sleep(down)
        self.start()

    def log(self) -> str:
        path = self.dir / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> PrivateBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if not os.environ.get("PINGAN_KEEP_BROKER_DIR"):
            shutil.rmtree(self.dir, ignore_errors=True)
