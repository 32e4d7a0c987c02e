#!/usr/bin/env bash
# Makes the Python virtual environment the tests use for PyPI packages: the newest official Kubernetes
# client, kopf, pytest and the pytest plugin of this repository (python/pytest-fake-apiserver), at the
# versions pinned in python/requirements.txt. Debian's python3-kubernetes 22.6 stays in /usr/bin/python3
# beside it: the environment does not see the system's packages.
#
#   scripts/python-venv.sh [DIR]    # default .cache/python-venv; prints DIR/bin/python when ready
#
# It is done once: a stamp of the requirements and of the plugin's sources is kept in DIR, and a later
# call with the same stamp only prints the path. Concurrent calls wait for each other (flock).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-$root/.cache/python-venv}"
python="${PYTHON:-/usr/bin/python3}"
mkdir -p "$(dirname "$venv")"

exec 9>"$venv.lock"
flock 9

plugin="$root/python/pytest-fake-apiserver"
stamp="$( (cat "$root/python/requirements.txt" "$plugin/pyproject.toml"; find "$plugin/src" -name '*.py' | sort | xargs cat) \
  | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$venv/bin/python"
  exit 0
fi

started=$(date +%s)
rm -rf "$venv"
"$python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  -r "$root/python/requirements.txt" >&2
# The plugin, built with the pinned setuptools (no build isolation: nothing unpinned is fetched).
# Copied first: an in-tree build would leave build/ and *.egg-info in the repository.
build="$(mktemp -d)"
cp -r "$plugin/pyproject.toml" "$plugin/src" "$build/"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
  --no-build-isolation "$build" >&2
rm -rf "$build"
echo "$stamp" >"$venv/.stamp"
echo "python-venv: $venv ready in $(($(date +%s) - started)) s" >&2
echo "$venv/bin/python"
