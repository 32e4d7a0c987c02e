"""An in-cluster program: it watches the pods of its namespace with kubernetes.watch and prints each event.

A watch without a resourceVersion starts with an ADDED event for every pod that exists, then streams the
changes. EVENTS=N makes it exit after N events. It runs with Debian's python3-kubernetes 22.6 and with the
newest client from PyPI alike. Its Role: pods watch.
"""
import json
import os
import sys

from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from kubernetes.config.incluster_config import InClusterConfigLoader

SA_DIR = os.environ.get("SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
EVENTS = int(os.environ.get("EVENTS", "0"))


def main():
    configuration = client.Configuration()
    InClusterConfigLoader(
        token_filename=os.path.join(SA_DIR, "token"),
        cert_filename=os.path.join(SA_DIR, "ca.crt"),
    ).load_and_set(configuration)
    with open(os.path.join(SA_DIR, "namespace")) as f:
        namespace = f.read().strip()
    core = client.CoreV1Api(client.ApiClient(configuration))

    print("watching pods in", namespace, flush=True)
    seen = 0
    try:
        for event in watch.Watch().stream(core.list_namespaced_pod, namespace):
            pod = event["object"]
            print("%s\t%s\t%s" % (event["type"], pod.metadata.name, pod.status.phase), flush=True)
            seen += 1
            if seen == EVENTS:
                return 0
    except ApiException as e:
        print("error %s: %s" % (e.status, json.loads(e.body)["message"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
