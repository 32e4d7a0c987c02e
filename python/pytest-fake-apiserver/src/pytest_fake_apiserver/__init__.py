"""pytest fixtures that run fake-apiserver, a fake Kubernetes API server for tests, and the functions
behind them (start, FakeApiServer) for use without pytest."""

from .server import SERVICE_ACCOUNT_DIR, FakeApiServer, FakeApiServerError, find_command, start

__all__ = ["SERVICE_ACCOUNT_DIR", "FakeApiServer", "FakeApiServerError", "find_command", "start"]
