#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, starts a real
# Neo4j through graphsvc's own command, runs ruff, mypy, pytest (doctests, notebooks,
# browser and Neo4j tests included; the whole suite as two processes side by side, see below) and stops Neo4j
# again. Extra arguments go to one plain pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# A Python that refuses `pip install` (PEP 668, "externally-managed-environment", as Debian's does) gets a
# virtual environment in .venv; a venv, pyenv or CI Python is used as it is.
if python3 -c 'import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))
sys.exit(0 if managed and sys.prefix == sys.base_prefix else 1)'; then
    step "this Python is managed by the system: using a virtual environment in .venv"
    [[ -x .venv/bin/python3 ]] || python3 -m venv .venv
    # shellcheck disable=SC1091
    . .venv/bin/activate
fi

# Not quiet: pip prints a line per package it collects and installs, so a first install of several minutes
# shows its progress (lines about packages already there are left out; pip's own failure still fails the run).
step "installing graphsvc with its test extras (the first time takes a few minutes)"
python3 -m pip install --disable-pip-version-check --progress-bar off -e '.[test]' 2>&1 \
    | { grep --line-buffered -v '^Requirement already satisfied' || true; }

# Headless Chromium (Debian's package) for the browser tests of the visual pages, with a CJK font for
# readable screenshots. Under CI it must be there, or the run fails.
if ! command -v chromium >/dev/null 2>&1; then
    step "installing Chromium for the browser tests"
    if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei
    elif [[ "${CI:-}" == "true" ]]; then
        echo "cannot install chromium here (needs apt-get as root): failing the run" >&2
        exit 1
    else
        echo "chromium not installed and cannot be installed here: the browser tests will be skipped" >&2
    fi
fi

# wrk (Debian's package) for the smoke run of bench/api_latency.py (tests/bench). Under CI it must be there.
if ! command -v wrk >/dev/null 2>&1; then
    step "installing wrk for the benches' smoke tests"
    if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk
    elif [[ "${CI:-}" == "true" ]]; then
        echo "cannot install wrk here (needs apt-get as root): failing the run" >&2
        exit 1
    else
        echo "wrk not installed and cannot be installed here: the smoke test of bench/api_latency.py will be skipped" >&2
    fi
fi

# The suite starts many Python processes (CLI runs, servers and their workers, notebook kernels). Each reads
# graphsvc's compiled modules from __pycache__ (ignored by git) instead of compiling them again, which an
# environment with PYTHONDONTWRITEBYTECODE set (as some CI images have) would make every one of them do.
unset PYTHONDONTWRITEBYTECODE

step "lint and types"
python3 -m ruff check graphsvc tests bench
python3 -m ruff format --check graphsvc tests bench
python3 -m mypy

# A real Neo4j for the Neo4j store's tests. Under CI it must start, or the run fails.
if [[ -z "${GRAPHSVC_NEO4J_PASSWORD:-}" ]]; then
    GRAPHSVC_NEO4J_PASSWORD="test-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
    export GRAPHSVC_NEO4J_PASSWORD
fi
export GRAPHSVC_NEO4J_HOME="${GRAPHSVC_NEO4J_HOME:-$HOME/.cache/graphsvc/neo4j-test}"
neo4j_started=""
server_tests=""
reporter=""
stop_neo4j() {
    if [[ -n "$reporter" ]]; then kill "$reporter" 2>/dev/null || true; fi
    if [[ -n "$server_tests" ]]; then kill "$server_tests" 2>/dev/null || true; fi  # an interrupted run's half
    if [[ -n "$neo4j_started" ]]; then
        python3 -m graphsvc neo4j stop || true
        rm -f "$owner_file"
    fi
}
trap stop_neo4j EXIT
export GRAPHSVC_TEST_NEO4J_PORT="${GRAPHSVC_TEST_NEO4J_PORT:-7697}"
# The test server lives a few minutes and answers small queries: the JVM's first-tier compiler alone (C1) starts it
# sooner and, measured on the Neo4j tests, spends a third to a half of the CPU the optimising one (C2) spends
# compiling queries that run only a few times. The restarts inside the tests inherit it. A server started with
# `graphsvc neo4j start` for real use keeps the JVM's default.
export GRAPHSVC_NEO4J_JAVA_OPTS="${GRAPHSVC_NEO4J_JAVA_OPTS:--XX:TieredStopAtLevel=1}"
step "starting Neo4j on port $GRAPHSVC_TEST_NEO4J_PORT, home $GRAPHSVC_NEO4J_HOME"
if ! python3 -m graphsvc neo4j status --json 2>/dev/null | grep -q '"installed": true'; then
    # graphsvc neo4j start names each jar as Maven downloads it, then says when it compiles and trains.
    echo "Neo4j is not installed in this home yet: fetching it from Maven Central first (about 125 MB, a few minutes)"
fi
# The run that starts the test home's server writes its pid beside it (as a test session does, see
# tests/neo4j_fixtures.py). A server of this home whose run is still going (another checkout's script on the
# same home) is left alone and this run stops; one left running by an interrupted run is stopped first
# (--wipe refuses a running one).
owner_file="$GRAPHSVC_NEO4J_HOME/test-session.json"
owner=$(python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["pid"]))' "$owner_file" 2>/dev/null || true)
if [[ -n "$owner" && "$owner" != "$$" ]] && kill -0 "$owner" 2>/dev/null \
    && python3 -m graphsvc neo4j status --json 2>/dev/null | grep -q '"running": true'; then
    echo "the Neo4j server of $GRAPHSVC_NEO4J_HOME is in use by another run (pid $owner): not stopping it." >&2
    echo "Give this run its own: GRAPHSVC_NEO4J_HOME=/tmp/neo4j-mine GRAPHSVC_TEST_NEO4J_PORT=7701 bash scripts/test.sh" >&2
    exit 1
fi
python3 -m graphsvc neo4j stop >/dev/null 2>&1 || true
# Without --with-gds: GDS adds a 15 MB fetch, ~7 s to every start of the server (22 s against 15 s to build it,
# one start each on a busy machine; the tests restart it) and 129 jars to its class path, for one test
# (tests/store/test_neo4j_gds.py, which skips saying why) and bench/peers.py. Run those against a server
# started with `graphsvc neo4j start --with-gds` (bench/README.md).
if uri=$(python3 -m graphsvc neo4j start --port "$GRAPHSVC_TEST_NEO4J_PORT" --wipe | tail -n 1); then
    neo4j_started=1
    printf '{"pid": %d, "port": %d}\n' "$$" "$GRAPHSVC_TEST_NEO4J_PORT" >"$owner_file"
    export GRAPHSVC_TEST_NEO4J_URI="$uri"
    echo "Neo4j is up at $uri"
elif [[ "${CI:-}" == "true" ]]; then
    echo "Neo4j failed to start under CI: failing the run" >&2
    exit 1
else
    echo "Neo4j could not be started here: the Neo4j tests will be skipped" >&2
fi

# The whole suite runs as two pytest processes side by side, one per core of a small machine: the tests that
# drive an outside server (Neo4j: they share the one server, some stop and restart it, each clears its
# database, so they run one after another; and the browser tests' Chromium), and all the others. The tests
# marked `background` (the notebooks' kernels and the benches' smoke runs: mostly waiting on their own child
# processes) join the first half, so that the two halves take about as long. With
# arguments (a file, -k, -m ...) pytest runs once, as asked.
if [[ $# -gt 0 || -z "$neo4j_started" ]]; then
    step "pytest"
    python3 -m pytest "$@"
    exit
fi
# The background half's output goes to a file (two pytest outputs interleaved would be unreadable); while the
# other half runs, one line every 30 s says how far it is (pytest's count, e.g. "37/118"), and once the other
# half is done its whole output follows, live until it ends.
servers_log=$(mktemp -t graphsvc-server-tests.XXXXXX)
step "pytest: the Neo4j, browser and background-marked tests in the background (how far they are every 30 s; their output after these), the other tests here"
started_at=$SECONDS
python3 -m pytest -m "neo4j or browser or background" -p no:cacheprovider -o console_output_style=count >"$servers_log" 2>&1 &
server_tests=$!
report_servers_half() {
    local said="" now failed
    while kill -0 "$server_tests" 2>/dev/null; do
        sleep 30
        now=$({ grep -oE '\[ *[0-9]+/[0-9]+\]' "$servers_log" || true; } | tail -n 1 | tr -d '[] ')
        failed=$({ grep -E '\[ *[0-9]+/[0-9]+\]$' "$servers_log" || true; } | sed -E 's/ *\[.*//; s/^[^ ]* //' \
            | tr -cd 'FE' | wc -c)
        if [[ -n "$now" && "$now" != "$said" ]]; then
            printf '\n   [Neo4j and browser tests: %s done, %d failed or in error so far]\n' "$now" "$failed"
            said=$now
        fi
    done
}
report_servers_half &
reporter=$!
others=0
python3 -m pytest -m "not neo4j and not browser and not background" || others=$?
kill "$reporter" 2>/dev/null || true
reporter=""
step "pytest: the Neo4j and browser tests (live until they end)"
tail -n +1 --pid="$server_tests" -f "$servers_log"
servers=0
wait "$server_tests" || servers=$?
server_tests=""
rm -f "$servers_log"
printf '\n== pytest exit status: the other tests %d, the Neo4j and browser tests %d (both halves: %d s)\n' \
    "$others" "$servers" "$((SECONDS - started_at))"
[[ $others -eq 0 && $servers -eq 0 ]]
