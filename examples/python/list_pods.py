"""An in-cluster program: lists the pods of the namespace it runs in.

In a pod it reads the service-account files at their usual place; outside one, point SA_DIR at a
directory written by fake-apiserver (--sa-dir) and export KUBERNETES_SERVICE_HOST/PORT.
"""
import json
import os
import sys

from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.config.incluster_config import InClusterConfigLoader

SA_DIR = os.environ.get("SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")


def main():
    # load_incluster_config() reads the fixed path; the loader it wraps takes the files as arguments.
    configuration = client.Configuration()
    InClusterConfigLoader(
        token_filename=os.path.join(SA_DIR, "token"),
        cert_filename=os.path.join(SA_DIR, "ca.crt"),
    ).load_and_set(configuration)
    client.Configuration.set_default(configuration)
    with open(os.path.join(SA_DIR, "namespace")) as f:
        namespace = f.read().strip()

    try:
        pods = client.CoreV1Api().list_namespaced_pod(namespace)
    except ApiException as e:
        print("error %s: %s" % (e.status, json.loads(e.body)["message"]), file=sys.stderr)
        return 1
    for pod in pods.items:
        print("%s\t%s" % (pod.metadata.name, pod.status.phase))
    return 0


if __name__ == "__main__":
    sys.exit(main())
