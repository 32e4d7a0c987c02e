import os
import time

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

import pytest_fake_apiserver
from pytest_fake_apiserver import FakeApiServerError

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def test_the_api_client_is_the_service_account_with_its_rbac(fake_apiserver, fake_apiserver_api_client):
    assert fake_apiserver.namespace == "shop"
    for path in (fake_apiserver.token_file, fake_apiserver.ca_file, fake_apiserver.namespace_file):
        assert os.path.isfile(path)
    core = client.CoreV1Api(fake_apiserver_api_client)
    assert [pod.metadata.name for pod in core.list_namespaced_pod("shop").items] == ["cart", "checkout"]

    with pytest.raises(ApiException) as denied:
        core.list_namespaced_pod("billing")
    assert denied.value.status == 403
    assert (
        '"message":"pods is forbidden: User \\"system:serviceaccount:shop:lister\\" cannot list resource '
        '\\"pods\\" in API group \\"\\" in the namespace \\"billing\\""' in denied.value.body
    )


def test_the_admin_client_sees_everything(fake_apiserver_admin_client):
    pods = client.CoreV1Api(fake_apiserver_admin_client).list_pod_for_all_namespaces().items
    assert sorted(pod.metadata.name for pod in pods) == ["billing", "cart", "checkout"]


def test_each_test_starts_from_the_start_up_state(pytester):
    """Two tests in order: what the first creates, the second does not see."""
    pytester.makeconftest(
        """
import pytest
@pytest.fixture(scope="session")
def fake_apiserver_options(fake_apiserver_options):
    return {**fake_apiserver_options, "service_account": "shop/lister"}
"""
    )
    pytester.makeini(
        """
[pytest]
fake_apiserver_fixtures = %s
"""
        % os.path.join(FIXTURES, "cluster.yaml")
    )
    pytester.makepyfile(
        """
from kubernetes import client

def names(api):
    return [item.metadata.name for item in client.CoreV1Api(api).list_namespaced_config_map("shop").items]

def test_first(fake_apiserver_admin_client):
    client.CoreV1Api(fake_apiserver_admin_client).create_namespaced_config_map(
        "shop", {"metadata": {"name": "left-behind"}})
    assert "left-behind" in names(fake_apiserver_admin_client)

def test_second(fake_apiserver_admin_client):
    assert names(fake_apiserver_admin_client) == ["kube-root-ca.crt"]
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_ini_settings_choose_the_cluster_and_the_service_account(pytester):
    pytester.makeini(
        """
[pytest]
fake_apiserver_fixtures = cluster.yaml
fake_apiserver_service_account = shop/nobody
fake_apiserver_args = --token-signing-alg ES256
"""
    )
    pytester.path.joinpath("cluster.yaml").write_text(open(os.path.join(FIXTURES, "cluster.yaml")).read())
    pytester.makepyfile(
        """
import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

def test_nobody_is_denied(fake_apiserver, fake_apiserver_api_client):
    assert open(fake_apiserver.namespace_file).read() == "shop"
    with pytest.raises(ApiException) as denied:
        client.CoreV1Api(fake_apiserver_api_client).list_namespaced_pod("shop")
    assert denied.value.status == 403
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_refused_start_fails_with_the_commands_message(pytester):
    pytester.path.joinpath("bad.yaml").write_text("apiVersion: v1\nkind: Nonsense\nmetadata: {name: x}\n")
    pytester.makeini("[pytest]\nfake_apiserver_fixtures = bad.yaml\n")
    pytester.makepyfile("def test_it(fake_apiserver):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*exited with 2 before serving*", "*bad.yaml, document 1: v1 Nonsense is not a kind fake-apiserver serves*"])


def test_snapshot_restore_and_a_second_identity(fake_apiserver, fake_apiserver_admin_client, tmp_path):
    core = client.CoreV1Api(fake_apiserver_admin_client)
    core.create_namespaced_config_map("shop", {"metadata": {"name": "one"}})
    fake_apiserver.snapshot("with-one")
    core.create_namespaced_config_map("shop", {"metadata": {"name": "two"}})
    assert fake_apiserver.restore("with-one")["changes"] == 1
    assert [item.metadata.name for item in core.list_namespaced_config_map("shop").items] == ["kube-root-ca.crt", "one"]
    with pytest.raises(FakeApiServerError, match="404"):
        fake_apiserver.restore("missing")

    mount = fake_apiserver.mount_service_account(str(tmp_path / "sa"), service_account="shop/nobody")
    assert mount["serviceAccount"] == "shop/nobody"
    nobody = fake_apiserver.api_client(sa_dir=mount["dir"])
    with pytest.raises(ApiException) as denied:
        client.CoreV1Api(nobody).list_namespaced_pod("shop")
    assert denied.value.status == 403


def test_start_without_pytest_and_a_fake_clock_that_rotates_the_token():
    with pytest_fake_apiserver.start(
        fixtures=[os.path.join(FIXTURES, "cluster.yaml")],
        service_account="shop/lister",
        fake_clock="2026-01-01T00:00:00Z",
        token_ttl="1h",
    ) as server:
        first = open(server.token_file).read()
        assert server.advance_clock("50m") == "2026-01-01T00:50:00.000Z"
        assert open(server.token_file).read() != first
        api = server.api_client()
        assert len(client.CoreV1Api(api).list_namespaced_pod("shop").items) == 2
        directory = os.path.dirname(server.sa_dir)
    assert server.stop() == 0
    assert not os.path.exists(directory)
