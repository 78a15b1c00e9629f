"""
Runs PyPI's chdb-core (the ClickHouse engine as a library) as a ClickHouse server for the local stack.

Usage (from the venv `npm run setup` made): python clickhouse-local-server.py <server dir>
The server dir holds config.xml (http_port, tcp_port, listen_host, paths: src/dev/clickhouse-config.ts
writes it); clickhouse-local reads it from the working directory at start.

chdb-core has no server mode of its own, but its command-line entry point runs clickhouse-local, which
accepts `SYSTEM START LISTEN HTTP|TCP`. A listener lives only while that entry point runs a statement, so
the listen statements and one endless, slow SELECT go in one call; SIGTERM (sluice dev down) ends that
SELECT with KILL QUERY through the server's own HTTP port, and the engine shuts down cleanly.
"""
import ctypes
import importlib.util
import os
import signal
import sys
import threading
import types
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree

# A column name the KILL QUERY below matches on; nothing else sluice runs contains it.
KEEPALIVE_MARK = "sluice_listen_keepalive"


def load_engine():
    """The compiled `chdb._chdb` module, without chdb/__init__.py: that opens an in-process session at
    import, after which the command-line entry point fails ('EventNotifier is initialized twice')."""
    spec = importlib.util.find_spec("chdb")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("chdb-core is not installed in this Python: run `npm run setup`")
    package_dir = list(spec.submodule_search_locations)[0]
    package = types.ModuleType("chdb")
    package.__path__ = [package_dir]
    sys.modules["chdb"] = package
    # As chdb/__init__.py does: load the engine with RTLD_DEEPBIND from its own directory, so its
    # allocator and bundled libraries win over anything else in the process.
    cwd = os.getcwd()
    os.chdir(package_dir)
    try:
        ctypes.CDLL(os.path.join(package_dir, "_chdb.abi3.so"), mode=sys.getdlopenflags() | 0x8)
        from chdb import _chdb  # noqa: E402
    finally:
        os.chdir(cwd)
    return _chdb


def http_port(config_path):
    port = ElementTree.parse(config_path).getroot().findtext("http_port")
    if not port or not port.isdigit():
        sys.exit(f"{config_path} has no numeric http_port")
    return int(port)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: clickhouse-local-server.py <server dir with config.xml>")
    server_dir = os.path.abspath(sys.argv[1])
    os.chdir(server_dir)
    port = http_port("config.xml")
    engine = load_engine()

    result = {}

    def serve():
        # max_block_size=1 with sleepEachRow(1): the SELECT checks for KILL once a second. Its rows never
        # end (numbers() without a limit); function_sleep_max_microseconds_per_block=0 lifts the 3 s cap.
        sql = (
            "SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; "
            f"SELECT sleepEachRow(1) AS {KEEPALIVE_MARK} FROM system.numbers "
            "SETTINGS max_block_size = 1, function_sleep_max_microseconds_per_block = 0"
        )
        # The output format given here is also the HTTP default (a real server answers TabSeparated).
        res = engine.query(sql, "TabSeparated", path=os.path.join(server_dir, "data"))
        result["error"] = res.error_message() if res.has_error() else ""

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    thread = threading.Thread(target=serve, name="clickhouse", daemon=True)
    thread.start()
    print(f"clickhouse-local-server: starting, http port {port}", flush=True)
    while thread.is_alive() and not stopping.wait(0.5):
        pass
    if thread.is_alive():
        kill = (
            f"KILL QUERY WHERE query LIKE '%{KEEPALIVE_MARK}%' AND query NOT LIKE 'KILL%' SYNC"
        )
        url = f"http://127.0.0.1:{port}/?" + urllib.parse.urlencode({"query": kill})
        try:
            urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10).read()
        except OSError as err:
            print(f"clickhouse-local-server: KILL QUERY failed ({err}); exiting anyway", flush=True)
            os._exit(1)
        thread.join(30)
        print("clickhouse-local-server: stopped", flush=True)
        os._exit(0)
    # The statement ended by itself: the listeners could not start (port taken, say) or the engine failed.
    print(f"clickhouse-local-server: the server stopped: {result.get('error') or 'no error reported'}", flush=True)
    os._exit(1)


if __name__ == "__main__":
    main()
