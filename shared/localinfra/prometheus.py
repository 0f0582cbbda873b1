"""A Prometheus server (and promtool) on loopback, without Docker or a system service.

The binaries come from PATH when installed; otherwise Debian's `prometheus` package is
downloaded with `apt-get download` and unpacked with `dpkg -x` into .cache/prometheus (no
service is installed or started). The server's config, data, pid file and log live in one
data directory, like the local Kafka broker's."""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import yaml

from shared.localinfra.kafka import REPO_ROOT, free_port, pid_alive

DEPLOY_DIR = REPO_ROOT / "deploy" / "prometheus"
ALERT_RULES = DEPLOY_DIR / "alerts.yml"
LOCAL_CONFIG = DEPLOY_DIR / "prometheus.local.yml"
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "prometheus"
DEFAULT_PORT = 9090


class PrometheusUnavailable(RuntimeError):
    """Neither PATH nor the package manager could provide the Prometheus binaries."""


@dataclass(frozen=True)
class PrometheusBinaries:
    prometheus: Path
    promtool: Path


def find_binaries(cache_dir: Path = DEFAULT_CACHE_DIR) -> PrometheusBinaries | None:
    """The binaries on PATH, else those unpacked earlier into the cache; never downloads."""
    on_path = shutil.which("prometheus"), shutil.which("promtool")
    if all(on_path):
        return PrometheusBinaries(Path(on_path[0]), Path(on_path[1]))  # type: ignore[arg-type]
    cached = PrometheusBinaries(cache_dir / "bin" / "prometheus", cache_dir / "bin" / "promtool")
    if all(os.access(p, os.X_OK) for p in (cached.prometheus, cached.promtool)):
        return cached
    return None


def ensure_binaries(cache_dir: Path = DEFAULT_CACHE_DIR) -> PrometheusBinaries:
    """Find the binaries, or unpack Debian's package into the cache once (under a lock, so
    parallel test runs do not unpack over each other)."""
    found = find_binaries(cache_dir)
    if found is not None:
        return found
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / ".lock"):
        found = find_binaries(cache_dir)
        if found is None:
            _unpack_debian_package(cache_dir)
            found = find_binaries(cache_dir)
    if found is None:
        raise PrometheusUnavailable(f"the package unpacked, but no binaries in {cache_dir}/bin")
    return found


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _unpack_debian_package(cache_dir: Path) -> None:
    if not (shutil.which("apt-get") and shutil.which("dpkg")):
        raise PrometheusUnavailable("prometheus is not on PATH and apt-get/dpkg are missing "
                                    "to fetch Debian's package")
    with tempfile.TemporaryDirectory(prefix="prometheus-deb-") as work:
        deb = _download_deb(Path(work))
        unpacked = Path(work) / "root"
        _run(["dpkg", "-x", str(deb), str(unpacked)], "unpacking the prometheus package")
        target = cache_dir / "bin"
        target.mkdir(parents=True, exist_ok=True)
        for name in ("prometheus", "promtool"):
            source = unpacked / "usr" / "bin" / name
            if not source.exists():
                raise PrometheusUnavailable(f"the prometheus package has no usr/bin/{name}")
            staged = target / f".{name}.partial"
            shutil.copy2(source, staged)
            staged.chmod(0o755)
            staged.replace(target / name)


def _download_deb(work: Path) -> Path:
    download = ["apt-get", "download", "prometheus"]
    done = subprocess.run(download, cwd=work, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and os.geteuid() == 0:
        # Stale or empty package lists are the usual cause on a fresh machine.
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=300)
        done = subprocess.run(download, cwd=work, capture_output=True, text=True, timeout=300)
    debs = sorted(work.glob("prometheus_*.deb"))
    if done.returncode != 0 or not debs:
        raise PrometheusUnavailable(f"`apt-get download prometheus` failed: "
                                    f"{(done.stderr or done.stdout).strip()[-500:]}")
    return debs[0]


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise PrometheusUnavailable(f"{what} failed: {done.stderr.strip()[-500:]}")


def render_config(targets: dict[str, dict[str, str]], *, rule_files: list[Path],
                  scrape_interval: str = "15s", evaluation_interval: str = "15s") -> str:
    """A scrape config for `{job: {service: "host:port"}}`, each target labelled with its
    service (see deploy/prometheus/prometheus.yml for why honor_labels is on)."""
    jobs = [{
        "job_name": job,
        "honor_labels": True,
        "static_configs": [{"targets": [address], "labels": {"service": service}}
                           for service, address in sorted(by_service.items())],
    } for job, by_service in targets.items()]
    config = {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": jobs,
    }
    return yaml.safe_dump(config, sort_keys=False)


class LocalPrometheus:
    """One Prometheus server on 127.0.0.1, its state kept in `data_dir`."""

    def __init__(self, data_dir: Path | str, *, config_file: Path | str = LOCAL_CONFIG,
                 port: int | None = None, binaries: PrometheusBinaries | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.config_file = Path(config_file).resolve()
        self.port = port or self._saved_port() or free_port()
        self._binaries = binaries
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "prometheus.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "prometheus.log"

    def _saved_port(self) -> int | None:
        saved = self.data_dir / "prometheus.port"
        return int(saved.read_text()) if saved.exists() else None

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def is_running(self) -> bool:
        return pid_alive(self.pid(), "prometheus")

    def start(self, timeout: float = 60) -> None:
        if self.is_running():
            raise RuntimeError(f"a Prometheus already runs from {self.data_dir} (pid {self.pid()})")
        binaries = self._binaries or ensure_binaries()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "prometheus.port").write_text(f"{self.port}\n")
        cmd = [str(binaries.prometheus), f"--config.file={self.config_file}",
               f"--storage.tsdb.path={self.data_dir / 'tsdb'}",
               f"--web.listen-address=127.0.0.1:{self.port}",
               "--web.enable-lifecycle", "--storage.tsdb.retention.time=15d"]
        log = open(self.log_file, "ab")  # noqa: SIM115 - the child owns it
        self._process = subprocess.Popen(cmd, stdout=log, stderr=log, start_new_session=True)
        log.close()
        self.pid_file.write_text(f"{self._process.pid}\n")
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"Prometheus exited with {self._process.returncode}; "
                                   f"see {self.log_file}:\n{self._log_tail()}")
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Prometheus not ready in {timeout}s; see {self.log_file}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return ""

    def reload(self) -> None:
        httpx.post(f"{self.url}/-/reload", timeout=10).raise_for_status()

    def stop(self, timeout: float = 30) -> None:
        pid = self.pid()
        if pid_alive(pid, "prometheus"):
            os.kill(pid, signal.SIGTERM)  # type: ignore[arg-type]
            deadline = time.monotonic() + timeout
            while pid_alive(pid, "prometheus") and time.monotonic() < deadline:
                if self._process is not None:
                    self._process.poll()
                time.sleep(0.1)
            if pid_alive(pid, "prometheus"):
                os.kill(pid, signal.SIGKILL)  # type: ignore[arg-type]
        if self._process is not None:
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self._process = None
        self.pid_file.unlink(missing_ok=True)


def start_for_local_run(data_dir: Path | str, *, port: int = DEFAULT_PORT) -> str | None:
    """For `postloan up`: a Prometheus scraping every local API and worker with the alert
    rules loaded. Returns its URL, or None (after saying why) when no binary can be had or
    it does not start; the platform runs without it."""
    try:
        binaries = ensure_binaries()
    except (PrometheusUnavailable, OSError, subprocess.SubprocessError) as exc:
        print(f"Prometheus not started: {exc}", flush=True)
        return None
    server = LocalPrometheus(data_dir, port=port, binaries=binaries)
    if server.is_running():
        return server.url
    try:
        server.start()
    except (RuntimeError, OSError) as exc:
        print(f"Prometheus not started: {exc}", flush=True)
        return None
    return server.url


def stop_for_local_run(data_dir: Path | str) -> None:
    LocalPrometheus(data_dir).stop()
