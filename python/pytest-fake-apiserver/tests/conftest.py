import os

import pytest

from pytest_fake_apiserver import find_command

pytest_plugins = ["pytester"]

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")

# The sessions pytester starts run in temporary directories, outside this checkout: they find the
# command through the variable.
os.environ.setdefault("FAKE_APISERVER_CLI", find_command(os.path.dirname(__file__))[-1])


@pytest.fixture(scope="session")
def fake_apiserver_options(fake_apiserver_options):
    """The plugin's own tests: the cluster in fixtures/, as shop/lister (who may list the pods of shop)."""
    return {**fake_apiserver_options, "fixtures": [os.path.join(FIXTURES, "cluster.yaml")], "service_account": "shop/lister"}
