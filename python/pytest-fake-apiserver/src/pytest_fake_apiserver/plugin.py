"""The pytest plugin: one fake-apiserver per test session, reset after each test that uses it.

Fixtures:
  fake_apiserver              the server (FakeApiServer), reset to its start-up state after the test
  fake_apiserver_api_client   a kubernetes ApiClient as the service account (in-cluster config from the sa-dir)
  fake_apiserver_admin_client a kubernetes ApiClient as the admin (system:masters)
  fake_apiserver_session      the session's server, never reset by the plugin
  fake_apiserver_options      the keyword arguments of start(): override it in a conftest.py

Settings (pytest.ini, pyproject.toml's [tool.pytest.ini_options], or -o NAME=VALUE):
  fake_apiserver_fixtures         manifest files or directories, one a line, relative to the ini file
  fake_apiserver_service_account  NS/NAME whose token the sa-dir holds (default default/default)
  fake_apiserver_args             more command-line arguments for the command
Option: --fake-apiserver-cli PATH, the command (or its dist/cli/main.js); else found as find_command() does.
"""

import os
import shlex

import pytest

from .server import FakeApiServerError, find_command, start


def pytest_addoption(parser):
    group = parser.getgroup("fake-apiserver")
    group.addoption(
        "--fake-apiserver-cli",
        default=None,
        help="the fake-apiserver command, or its dist/cli/main.js (default: found from the working directory)",
    )
    parser.addini("fake_apiserver_fixtures", "fixture manifests, relative to the ini file", type="linelist", default=[])
    parser.addini("fake_apiserver_service_account", "NS/NAME whose token the sa-dir holds", default="")
    parser.addini("fake_apiserver_args", "more command-line arguments for fake-apiserver", default="")


@pytest.fixture(scope="session")
def fake_apiserver_options(pytestconfig):
    """The keyword arguments of pytest_fake_apiserver.start() for the session's server."""
    base = pytestconfig.inipath.parent if pytestconfig.inipath else pytestconfig.rootpath
    options = {
        "fixtures": [os.path.join(str(base), path) for path in pytestconfig.getini("fake_apiserver_fixtures")],
        "args": shlex.split(pytestconfig.getini("fake_apiserver_args")),
    }
    service_account = pytestconfig.getini("fake_apiserver_service_account")
    if service_account:
        options["service_account"] = service_account
    cli = pytestconfig.getoption("fake_apiserver_cli")
    options["command"] = [cli] if cli and not cli.endswith(".js") else (["node", cli] if cli else None)
    return options


@pytest.fixture(scope="session")
def fake_apiserver_session(fake_apiserver_options, tmp_path_factory):
    options = dict(fake_apiserver_options)
    options.setdefault("directory", str(tmp_path_factory.mktemp("fake-apiserver")))
    try:
        if options.get("command") is None:
            options["command"] = find_command()
        server = start(**options)
    except FakeApiServerError as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def fake_apiserver(fake_apiserver_session):
    """The session's server; after the test, it is reset to its start-up state."""
    yield fake_apiserver_session
    fake_apiserver_session.reset()


@pytest.fixture
def fake_apiserver_api_client(fake_apiserver):
    """A kubernetes.client.ApiClient as the sa-dir's service account."""
    client = fake_apiserver.api_client()
    yield client
    client.close()


@pytest.fixture
def fake_apiserver_admin_client(fake_apiserver):
    """A kubernetes.client.ApiClient as the admin (system:masters)."""
    client = fake_apiserver.admin_api_client()
    yield client
    client.close()
