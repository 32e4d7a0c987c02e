"""Runs the fake-apiserver command and talks to it: its serviceaccount directory, an in-cluster ApiClient,
an admin ApiClient, and the control API (reset, snapshots, clock, mounts)."""

import base64
import json
import os
import queue
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

import yaml

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


class FakeApiServerError(Exception):
    """The command could not be found, refused to start, or the control API refused a request."""


def find_command(start=None):
    """The fake-apiserver command: FAKE_APISERVER_CLI (a path), else node_modules/fake-apiserver in the
    directory or a parent (npm install --save-dev fake-apiserver), else a checkout of fake-apiserver above it
    (built with npm run build), else fake-apiserver on PATH."""
    cli = os.environ.get("FAKE_APISERVER_CLI")
    if cli:
        return _command_for(cli)
    directory = Path(start or os.getcwd()).resolve()
    for candidate in [directory, *directory.parents]:
        installed = candidate / "node_modules" / "fake-apiserver" / "dist" / "cli" / "main.js"
        if installed.is_file():
            return _command_for(str(installed))
        package = candidate / "package.json"
        if package.is_file():
            try:
                name = json.loads(package.read_text()).get("name")
            except ValueError:
                name = None
            if name == "fake-apiserver":
                built = candidate / "dist" / "cli" / "main.js"
                if not built.is_file():
                    raise FakeApiServerError(
                        "%s is a fake-apiserver checkout without dist/: run npm run build there" % candidate
                    )
                return _command_for(str(built))
    on_path = shutil.which("fake-apiserver")
    if on_path:
        return [on_path]
    raise FakeApiServerError(
        "the fake-apiserver command was not found: npm install --save-dev fake-apiserver in this project "
        "(or a parent directory), or set FAKE_APISERVER_CLI"
    )


def _command_for(cli):
    return ["node", cli] if cli.endswith((".js", ".mjs")) else [cli]


class FakeApiServer:
    """A running fake-apiserver. Start it with start(); stop() (or a with block) ends it."""

    def __init__(self, process, directory, owns_directory):
        self._process = process
        self._stderr = []
        self._directory = Path(directory)
        self._owns_directory = owns_directory
        self.sa_dir = str(self._directory / "serviceaccount")
        self.token_file = os.path.join(self.sa_dir, "token")
        self.ca_file = os.path.join(self.sa_dir, "ca.crt")
        self.namespace_file = os.path.join(self.sa_dir, "namespace")
        self.kubeconfig = str(self._directory / "kubeconfig")
        self.host = self.port = self.url = self.control_url = self.namespace = None
        self._ssl = None

    @property
    def env(self):
        """KUBERNETES_SERVICE_HOST and _PORT, as the kubelet gives them to a pod."""
        return {"KUBERNETES_SERVICE_HOST": self.host, "KUBERNETES_SERVICE_PORT": self.port}

    @property
    def stderr(self):
        """What the server has written on its stderr so far."""
        return "".join(self._stderr)

    def api_client(self, sa_dir=None):
        """A kubernetes.client.ApiClient as the service account: what load_incluster_config() sets up in a
        pod, from the sa-dir (re-reading its token as the kubelet rotates it)."""
        from kubernetes import client
        from kubernetes.config.incluster_config import InClusterConfigLoader

        sa_dir = sa_dir or self.sa_dir
        configuration = client.Configuration()
        InClusterConfigLoader(
            token_filename=os.path.join(sa_dir, "token"),
            cert_filename=os.path.join(sa_dir, "ca.crt"),
            environ=self.env,
        ).load_and_set(configuration)
        return client.ApiClient(configuration)

    def admin_api_client(self):
        """A kubernetes.client.ApiClient as the admin (system:masters), from the kubeconfig."""
        from kubernetes import config

        return config.new_client_from_config(config_file=self.kubeconfig)

    # The control API, as the admin.

    def control(self, method, path, body=None):
        """Sends a request to /fake-apiserver/v1/PATH as the admin and returns the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            "%s/%s" % (self.control_url, path.lstrip("/")),
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, context=self._admin_ssl(), timeout=30) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            raise FakeApiServerError(
                "%s %s: %s %s" % (method, path, error.code, error.read().decode("utf-8", "replace"))
            ) from None
        return json.loads(text) if text else None

    def reset(self):
        """Back to the state after start-up; open watches see it as ordinary changes."""
        return self.control("POST", "reset", {})

    def snapshot(self, name=None):
        return self.control("POST", "snapshots", {"name": name} if name else {})

    def restore(self, name):
        return self.control("POST", "snapshots/%s/restore" % name, {})

    def advance_clock(self, by):
        """Moves a fake clock (fake_clock=True) forward by a Go duration ("90s", "2h") or seconds; returns
        the new time once every sa-dir due for a new token has it."""
        advance = by if isinstance(by, str) else int(by * 1000)
        return self.control("POST", "clock", {"advance": advance})["now"]

    def mount_service_account(self, directory, service_account=None, pod=None, token_ttl_seconds=None):
        """Writes one more sa-dir (an absolute path) for a service account ("NS/NAME") or a pod."""
        body = {"dir": os.path.abspath(directory)}
        if service_account:
            body["serviceAccount"] = service_account
        if pod:
            body["pod"] = pod
        if token_ttl_seconds:
            body["tokenTtlSeconds"] = token_ttl_seconds
        return self.control("POST", "mounts", body)

    def _admin_ssl(self):
        if self._ssl is None:
            with open(self.kubeconfig) as f:
                kubeconfig = yaml.safe_load(f)
            user = kubeconfig["users"][0]["user"]
            cluster = kubeconfig["clusters"][0]["cluster"]
            files = {}
            for name, field in (
                ("admin.crt", user["client-certificate-data"]),
                ("admin.key", user["client-key-data"]),
                ("admin-ca.crt", cluster["certificate-authority-data"]),
            ):
                files[name] = self._directory / name
                files[name].write_bytes(base64.b64decode(field))
                files[name].chmod(0o600)
            context = ssl.create_default_context(cafile=str(files["admin-ca.crt"]))
            context.load_cert_chain(str(files["admin.crt"]), str(files["admin.key"]))
            self._ssl = context
        return self._ssl

    def stop(self, timeout=15):
        """Ends the server as SIGTERM does (watches end, an --rbac-report is written) and waits for it."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._owns_directory:
            shutil.rmtree(self._directory, ignore_errors=True)
        return self._process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(
    fixtures=(),
    service_account=None,
    pod=None,
    token_ttl=None,
    fake_clock=None,
    token_signing_alg=None,
    rbac_report=None,
    args=(),
    command=None,
    directory=None,
    timeout=60,
):
    """Starts fake-apiserver on a free port with a sa-dir and an admin kubeconfig in `directory` (default: a
    new temporary directory, removed by stop()), and returns it once it serves.

    fixtures: manifest files or directories (replacing the package's default cluster); service_account or
    pod: "NS/NAME", whose token goes into the sa-dir; token_ttl: a Go duration; fake_clock: True, or an
    RFC 3339 start; args: more command-line arguments."""
    command = list(command or find_command())
    owns_directory = directory is None
    directory = directory or tempfile.mkdtemp(prefix="fake-apiserver-")
    directory = os.path.abspath(directory)
    argv = command + [
        "--port", "0",
        "--sa-dir", os.path.join(directory, "serviceaccount"),
        "--kubeconfig", os.path.join(directory, "kubeconfig"),
    ]  # fmt: skip
    for fixture in fixtures:
        argv += ["--fixtures", os.path.abspath(fixture)]
    if service_account:
        argv += ["--service-account", service_account]
    if pod:
        argv += ["--pod", pod]
    if token_ttl:
        argv += ["--token-ttl", token_ttl]
    if fake_clock:
        argv += ["--fake-clock"] + ([] if fake_clock is True else [fake_clock])
    if token_signing_alg:
        argv += ["--token-signing-alg", token_signing_alg]
    if rbac_report:
        argv += ["--rbac-report", os.path.abspath(rbac_report)]
    argv += list(args)

    try:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    except OSError as error:
        raise FakeApiServerError("starting %s: %s" % (" ".join(command), error)) from None
    server = FakeApiServer(process, directory, owns_directory)
    lines = queue.Queue()

    def read_stdout():
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    def read_stderr():
        for line in process.stderr:
            server._stderr.append(line)

    threading.Thread(target=read_stdout, daemon=True).start()
    stderr_reader = threading.Thread(target=read_stderr, daemon=True)
    stderr_reader.start()

    exports = {}
    try:
        while len(exports) < 2:
            line = lines.get(timeout=timeout)
            if line is None:
                process.wait()
                stderr_reader.join(5)
                raise FakeApiServerError(
                    "%s exited with %s before serving:\n%s" % (" ".join(command), process.returncode, server.stderr)
                )
            name, _, value = line.strip().replace("export ", "", 1).partition("=")
            if name.startswith("KUBERNETES_SERVICE_"):
                exports[name] = value
    except queue.Empty:
        server.stop()
        raise FakeApiServerError("%s was not serving after %s s:\n%s" % (" ".join(command), timeout, server.stderr))
    except BaseException:
        server.stop()
        raise

    server.host, server.port = exports["KUBERNETES_SERVICE_HOST"], exports["KUBERNETES_SERVICE_PORT"]
    server.url = "https://%s:%s" % (
        "[%s]" % server.host if ":" in server.host else server.host,
        server.port,
    )
    server.control_url = server.url + "/fake-apiserver/v1"
    with open(server.namespace_file) as f:
        server.namespace = f.read().strip()
    return server
