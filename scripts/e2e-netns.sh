#!/usr/bin/env bash
# Runs the browser tests of e2e/netns/ (live meetup room, WebRTC video rooms) inside a network
# namespace that has only loopback, so nothing a browser or the server does can leave the machine.
#
#   bash scripts/e2e-netns.sh [pytest arguments...]
#
# Needs root (ip netns add). Without it, or without iproute2, the tests are skipped with a
# message, except under PEERHAVEN_REQUIRE_SERVICES=1 (CI), where that is a failure. pytest's exit
# code is passed on, and "no tests ran" (5) counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
# One namespace per run, so that two runs on one machine never share or delete each other's.
ns="${PEERHAVEN_NETNS_NAME:-peerhaven-e2e-$$}"

unavailable() {
  if [ "${PEERHAVEN_REQUIRE_SERVICES:-}" = "1" ]; then
    echo "PEERHAVEN_REQUIRE_SERVICES=1 but the network-namespace browser tests cannot run: $1" >&2
    exit 1
  fi
  echo "SKIPPED the network-namespace browser tests (e2e/netns): $1" >&2
  exit 0
}

[ "$(id -u)" = "0" ] || unavailable "they need root to create a network namespace (ip netns add)"
command -v ip >/dev/null 2>&1 || unavailable "iproute2 is not installed (apt-get install -y iproute2)"

created=0
cleanup() {
  if [ "$created" = "1" ]; then ip netns del "$ns" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

# Idempotent: an existing namespace of that name is reused (and left in place afterwards).
if ! ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns"; then
  ip netns add "$ns" || unavailable "ip netns add failed (no CAP_SYS_ADMIN in this container?)"
  created=1
fi
ip -n "$ns" link set lo up || unavailable "could not bring lo up in namespace $ns"

echo "== browser tests in network namespace $ns (only lo; SQLite and the in-memory channel layer)"
ip netns exec "$ns" env -u DATABASE_URL -u REDIS_URL PEERHAVEN_E2E_NETNS="$ns" \
  "$PY" -m pytest -q -p no:randomly e2e/netns "$@"
rc=$?
if [ "$rc" = "5" ]; then
  echo "No test ran inside the network namespace: that is a failure, not a pass." >&2
  exit 1
fi
exit "$rc"
