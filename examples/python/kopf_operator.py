"""An in-cluster operator written with kopf (from PyPI): for each shop.example.com/v1 Storefront of its
namespace it keeps a ConfigMap NAME-storefront with the Storefront's settings, owned by it (kopf.adopt, so
the garbage collector deletes it with the Storefront), and reports it in the Storefront's status. The same
operator as examples/go/shop-operator, the controller-runtime one.

kopf logs in through the login handler below: the service account's token and CA from SA_DIR (in a pod,
/var/run/secrets/kubernetes.io/serviceaccount) and KUBERNETES_SERVICE_HOST/PORT, as in-cluster clients do.
It runs standalone (no peering with other kopf operators), in its own namespace only and without kopf's
cluster-wide scanning, so a Role is enough.
"""
import os
import sys

import kopf
from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.config.incluster_config import InClusterConfigLoader

SA_DIR = os.environ.get("SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
with open(os.path.join(SA_DIR, "namespace")) as f:
    NAMESPACE = f.read().strip()

configuration = client.Configuration()
InClusterConfigLoader(
    token_filename=os.path.join(SA_DIR, "token"),
    cert_filename=os.path.join(SA_DIR, "ca.crt"),
).load_and_set(configuration)
core = client.CoreV1Api(client.ApiClient(configuration))


def say(message):
    print(message, flush=True)


@kopf.on.login()
def login(**_):
    with open(os.path.join(SA_DIR, "token")) as f:
        token = f.read().strip()  # read again at each login: kopf logs in again after a 401
    return kopf.ConnectionInfo(
        server=configuration.host,
        ca_path=os.path.join(SA_DIR, "ca.crt"),
        token=token,
        default_namespace=NAMESPACE,
    )


@kopf.on.startup()
def started(settings, **_):
    # Without it kopf lists and watches CustomResourceDefinitions and Namespaces cluster-wide, to find
    # resources and namespaces appearing later: a ClusterRole. This operator serves one known resource in
    # one namespace.
    settings.scanning.disabled = True
    say("operator started in namespace %s" % NAMESPACE)


@kopf.on.resume("shop.example.com", "v1", "storefronts")
@kopf.on.create("shop.example.com", "v1", "storefronts")
@kopf.on.update("shop.example.com", "v1", "storefronts", field="spec")
def reconcile(spec, name, namespace, meta, patch, **_):
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "%s-storefront" % name},
        "data": {"currency": spec.get("currency", ""), "greeting": spec.get("greeting", "")},
    }
    kopf.adopt(configmap)  # namespace and a controller ownerReference to the Storefront
    try:
        current = core.read_namespaced_config_map(configmap["metadata"]["name"], namespace)
    except ApiException as e:
        if e.status != 404:
            raise
        core.create_namespaced_config_map(namespace, configmap)
        say("configmap %s/%s created" % (namespace, configmap["metadata"]["name"]))
    else:
        if current.data != configmap["data"]:
            current.data = configmap["data"]
            core.replace_namespaced_config_map(current.metadata.name, namespace, current)
            say("configmap %s/%s updated" % (namespace, configmap["metadata"]["name"]))
    patch.status["configMap"] = configmap["metadata"]["name"]
    patch.status["observedGeneration"] = meta.get("generation")
    say("storefront %s/%s reconciled (generation %s)" % (namespace, name, meta.get("generation")))


if __name__ == "__main__":
    sys.exit(kopf.run(standalone=True, namespaces=[NAMESPACE], clusterwide=False))
