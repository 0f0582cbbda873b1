"""A single-node KRaft Kafka broker run straight from Maven Central jars (no Docker, no tarball).

The broker's data, rendered config, pid file and log all live in one data directory, so a
later `start()` on the same directory keeps topics and committed offsets."""
from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path
from string import Template

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DIR = REPO_ROOT / "deploy" / "kafka"
DEFAULT_LIBS_DIR = REPO_ROOT / ".cache" / "kafka-libs"
# The broker's JVM as documented for these machines; tests and the local run use it.
STANDARD_JVM = ("-Xmx512m",)
# A small-footprint broker for a modest machine: a 128 MB heap with the serial collector
# (one broker, few clients), bounded metaspace and code cache, per-thread NIO buffer
# caches capped at 256 KB (by default a thread keeps a direct buffer as large as the
# largest request it read), and a 16 MB compaction buffer (Kafka's default of 128 MB
# alone would not fit the heap).
SMALL_JVM = ("-Xmx128m", "-XX:+UseSerialGC", "-XX:MaxMetaspaceSize=96m",
             "-XX:ReservedCodeCacheSize=48m", "-Djdk.nio.maxCachedBufferSize=262144")
SMALL_OVERRIDES = {"log.cleaner.dedupe.buffer.size": str(16 * 1024 * 1024)}
# Jars that bind SLF4J to a backend; two on one class path make logging pick one at random.
SLF4J_BINDINGS = ("log4j-slf4j-impl-", "log4j-slf4j2-impl-", "slf4j-reload4j-", "slf4j-log4j12-",
                  "slf4j-simple-", "slf4j-jdk14-", "slf4j-nop-", "logback-classic-")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pid_alive(pid: int | None, marker: str) -> bool:
    """True when `pid` runs and its command line contains `marker` (guards against pid reuse)."""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and marker in cmdline


class LocalKafka:
    def __init__(self, data_dir: Path | str, port: int | None = None,
                 controller_port: int | None = None, libs_dir: Path | None = None,
                 jvm: tuple[str, ...] = STANDARD_JVM,
                 overrides: dict[str, str] | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        saved = self._saved_ports()
        self.port = port or saved.get("PLAINTEXT") or free_port()
        self.controller_port = controller_port or saved.get("CONTROLLER") or free_port()
        self.libs_dir = Path(libs_dir or DEFAULT_LIBS_DIR).resolve()
        self.jvm, self.overrides = jvm, dict(overrides or {})
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def properties_file(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "kafka.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "kafka.log"

    # -- jars ---------------------------------------------------------------------------

    def ensure_jars(self) -> Path:
        """Resolve the broker jars once; re-resolve only when deploy/kafka/pom.xml changed."""
        pom = DEPLOY_DIR / "pom.xml"
        digest = hashlib.sha256(pom.read_bytes()).hexdigest()
        stamp = self.libs_dir / ".pom.sha256"
        current = stamp.exists() and stamp.read_text().strip() == digest
        if not (current and list(self.libs_dir.glob("kafka_2.13-*.jar"))):
            self._resolve_jars(pom, digest)
        self._check_one_slf4j_binding()
        return self.libs_dir

    def _resolve_jars(self, pom: Path, digest: str) -> None:
        mvn = shutil.which("mvn")
        if mvn is None:
            raise RuntimeError("Maven (mvn) is needed once to fetch the Kafka jars; install it")
        # A fresh directory, swapped in at the end: an interrupted run or an older pom must
        # not leave a mix of versions (two SLF4J bindings, two kafka-clients) behind.
        staging = self.libs_dir.with_name(self.libs_dir.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        cmd = [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
               f"-DoutputDirectory={staging}", "-DincludeScope=runtime"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"resolving Kafka jars failed:\n{done.stdout}\n{done.stderr}")
        (staging / ".pom.sha256").write_text(digest + "\n")
        shutil.rmtree(self.libs_dir, ignore_errors=True)
        staging.rename(self.libs_dir)

    def _check_one_slf4j_binding(self) -> None:
        jars = [p.name for p in self.libs_dir.glob("*.jar")]
        bindings = [j for j in jars if j.startswith(SLF4J_BINDINGS)]
        if len(bindings) != 1:
            raise RuntimeError(f"expected exactly one SLF4J binding in {self.libs_dir}, "
                               f"found {bindings or 'none'}; delete the directory to re-resolve")

    # -- lifecycle ----------------------------------------------------------------------

    def start(self, timeout: float = 90) -> None:
        if self.is_running():
            raise RuntimeError(f"a broker already runs from {self.data_dir} (pid {self.pid()})")
        self.ensure_jars()
        self._check_ports_free()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_properties()
        self._format_storage()
        with open(self.log_file, "ab") as log:
            # Own session: Ctrl-C in the caller's terminal must not reach the broker, and
            # stop()/kill() signal the whole group.
            self._process = subprocess.Popen(
                self._java("kafka.Kafka", str(self.properties_file), *self._override_args(),
                           jvm=self.jvm),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.data_dir, start_new_session=True)
        self.pid_file.write_text(f"{self._process.pid}\n")
        self._wait_ready(timeout)

    def stop(self, timeout: float = 30) -> None:
        pid = self.pid()
        if not self.is_running():
            self._forget()
            return
        self._signal(pid, signal.SIGTERM)
        if not self._wait_exit(pid, timeout):
            self._signal(pid, signal.SIGKILL)
            self._wait_exit(pid, 10)
        self._forget()

    def kill(self) -> None:
        """Crash the broker (SIGKILL, no clean shutdown) to test recovery paths."""
        pid = self.pid()
        if self.is_running():
            self._signal(pid, signal.SIGKILL)
            self._wait_exit(pid, 10)
        self._forget()

    def restart(self, timeout: float = 90) -> None:
        self.stop()
        self.start(timeout=timeout)

    def status(self) -> dict[str, object]:
        running = self.is_running()
        return {"running": running, "pid": self.pid() if running else None,
                "bootstrap": self.bootstrap, "data_dir": str(self.data_dir)}

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def is_running(self) -> bool:
        return pid_alive(self.pid(), str(self.properties_file))

    # -- helpers ------------------------------------------------------------------------

    def _saved_ports(self) -> dict[str, int]:
        """Ports of an earlier run on this data dir, so a plain restart keeps its address."""
        try:
            text = self.properties_file.read_text()
        except OSError:
            return {}
        match = re.search(r"^listeners=(.*)$", text, re.MULTILINE)
        found = re.findall(r"(\w+)://[^:,]+:(\d+)", match.group(1) if match else "")
        return {name: int(port) for name, port in found}

    def _check_ports_free(self) -> None:
        # Otherwise the readiness probe could get its answer from whatever already listens
        # there while our broker dies on "Address already in use".
        for port in (self.port, self.controller_port):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    raise RuntimeError(f"127.0.0.1:{port} is already in use; pick other ports")

    def _write_properties(self) -> None:
        template = Template((DEPLOY_DIR / "server.properties.template").read_text())
        self.properties_file.write_text(template.substitute(
            PORT=self.port, CONTROLLER_PORT=self.controller_port,
            LOG_DIRS=self.data_dir / "logs"))

    def _format_storage(self) -> None:
        if (self.data_dir / "logs" / "meta.properties").exists():
            return
        # Static controller.quorum.voters in the config: 4.x refuses --standalone with it.
        self._run_tool("format", "-t", new_cluster_id(), "-c", str(self.properties_file),
                       "--ignore-formatted")

    def _run_tool(self, *args: str) -> str:
        # C1-only and serial GC: the tool runs for a second, so JIT and GC warm-up dominate.
        cmd = self._java("kafka.tools.StorageTool", *args, jvm=(
            "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"))
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.data_dir)
        if done.returncode != 0:
            raise RuntimeError(f"StorageTool {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _override_args(self) -> list[str]:
        return [arg for key, value in sorted(self.overrides.items())
                for arg in ("--override", f"{key}={value}")]

    def _java(self, main: str, *args: str, jvm: tuple[str, ...]) -> list[str]:
        java_home = os.environ.get("JAVA_HOME")
        java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
        if not java:
            raise RuntimeError("Java 17+ is needed to run the local Kafka broker")
        return [java, *jvm, "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.properties'}",
                "-cp", f"{self.libs_dir}/*", main, *args]

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self._process.poll() if self._process is not None else None
            if code is not None:
                self._forget()
                raise RuntimeError(f"Kafka exited with {code}:\n{self._tail()}")
            if metadata_answers("127.0.0.1", self.port):
                return
            time.sleep(0.1)
        self.kill()
        raise TimeoutError(f"Kafka not ready within {timeout}s:\n{self._tail()}")

    def _wait_exit(self, pid: int | None, timeout: float) -> bool:
        if self._process is not None and self._process.pid == pid:
            try:
                self._process.wait(timeout)  # reaps our own child so it leaves no zombie
                return True
            except subprocess.TimeoutExpired:
                return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(pid, str(self.properties_file)):
                return True
            time.sleep(0.1)
        return False

    @staticmethod
    def _signal(pid: int | None, sig: signal.Signals) -> None:
        if pid is None:
            return
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(pid, sig)

    def _forget(self) -> None:
        self.pid_file.unlink(missing_ok=True)
        if self._process is not None:
            self._process.poll()  # reap a child that already died
        self._process = None

    def _tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def new_cluster_id() -> str:
    """What `StorageTool random-uuid` prints (Kafka's Uuid.randomUuid), without a second JVM
    start: URL-safe base64 of a random v4 UUID, never starting with '-' (a CLI would read it
    as an option)."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def metadata_answers(host: str, port: int, timeout: float = 2.0) -> bool:
    """Send a Metadata v4 request; true once the broker lists at least one live broker.

    A plain socket keeps this usable from sync code and from inside a running event loop.
    v4 because Kafka 4.x dropped Metadata v0-v3."""
    client_id = b"postloan-probe"
    header = struct.pack(">hhih", 3, 4, 1, len(client_id)) + client_id
    body = struct.pack(">ib", -1, 0)  # all topics, no auto-creation
    request = header + body
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(struct.pack(">i", len(request)) + request)
            # size, correlation id, throttle time, broker count
            reply = sock.makefile("rb").read(16)
    except OSError:
        return False
    if len(reply) < 16:
        return False
    _, correlation, _, brokers = struct.unpack(">iiii", reply)
    return correlation == 1 and brokers >= 1

