"""An in-cluster program: leader election with the Python client's kubernetes.leaderelection on a Lease.

The newest official client (PyPI) has resourcelock.leaselock.LeaseLock, which locks with a
coordination.k8s.io/v1 Lease as client-go's LeaseLock does (Debian's python3-kubernetes 22.6 has only the
ConfigMap lock: see leader_election.py). Every candidate runs this program with its own IDENTITY; the one
that creates the Lease leads and renews it every retry period; the others take over once it has not been
renewed for lease_duration seconds.

LEASE_DURATION, RENEW_DEADLINE and RETRY_PERIOD (seconds) tune the election. LEAD_SECONDS makes the leader
exit after leading that long without releasing the lock, as a crashed pod would. A leader that loses the
lock exits with 1. Its Role: leases get, create, update.
"""
import logging
import os
import threading
import time

from kubernetes import client
from kubernetes.config.incluster_config import InClusterConfigLoader
from kubernetes.leaderelection import electionconfig, leaderelection
from kubernetes.leaderelection.resourcelock.leaselock import LeaseLock

SA_DIR = os.environ.get("SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
IDENTITY = os.environ.get("IDENTITY") or os.environ.get("HOSTNAME", "candidate-%d" % os.getpid())
LEASE_DURATION = int(os.environ.get("LEASE_DURATION", "15"))
RENEW_DEADLINE = int(os.environ.get("RENEW_DEADLINE", "10"))
RETRY_PERIOD = int(os.environ.get("RETRY_PERIOD", "2"))
LEAD_SECONDS = float(os.environ.get("LEAD_SECONDS", "0"))


def say(message):
    print("%s %s" % (IDENTITY, message), flush=True)


def lead():
    say("is leading")
    if LEAD_SECONDS:
        time.sleep(LEAD_SECONDS)
        say("exits while leading")
        os._exit(0)  # no release: the others must wait for the lease to expire
    threading.Event().wait()  # the controller's work would run here


def stopped_leading():
    say("stopped leading")
    os._exit(1)


def main():
    # The election logs (acquired, renewed, a failed update with the server's answer) at INFO.
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(name)s %(levelname)s %(message)s")
    configuration = client.Configuration()
    InClusterConfigLoader(
        token_filename=os.path.join(SA_DIR, "token"),
        cert_filename=os.path.join(SA_DIR, "ca.crt"),
    ).load_and_set(configuration)
    client.Configuration.set_default(configuration)  # LeaseLock makes its own CoordinationV1Api()
    with open(os.path.join(SA_DIR, "namespace")) as f:
        namespace = f.read().strip()

    say("is a candidate")
    config = electionconfig.Config(
        LeaseLock("shop-controller", namespace, IDENTITY),
        lease_duration=LEASE_DURATION,
        renew_deadline=RENEW_DEADLINE,
        retry_period=RETRY_PERIOD,
        onstarted_leading=lead,
        onstopped_leading=stopped_leading,
    )
    leaderelection.LeaderElection(config).run()


if __name__ == "__main__":
    main()
