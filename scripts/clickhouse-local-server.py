"""
Runs a ClickHouse engine from PyPI's chdb-core or chdb wheels (the engine as a library) as a ClickHouse
server for the local stack.

Usage (from the venv scripts/setup-tools.sh made): python clickhouse-local-server.py <server dir>
The server dir holds config.xml (http_port, tcp_port, listen_host, paths: src/dev/clickhouse-config.ts
writes it).

Two ways, chosen by what the engine library offers, not by its version:
- chdb 2.x and 3.x (engines 24.8 to 25.8) export clickhouse-server's own entry point,
  `mainEntryClickHouseServer`: the script calls it with `--config-file`, and it is the real server
  (SIGTERM shuts it down as it does clickhouse-server).
- chdb-core (26.x) exports no server entry, but its command-line entry point runs clickhouse-local, which
  from 26.9 accepts `SYSTEM START LISTEN HTTP|TCP` (it reads config.xml from the working directory). A
  listener lives only while that entry point runs a statement, so the listen statements and one endless,
  slow SELECT go in one call; SIGTERM (sluice dev down) ends that SELECT with KILL QUERY through the
  server's own HTTP port, and the engine shuts down cleanly.
"""
import ctypes
import glob
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


def engine_package_dir():
    spec = importlib.util.find_spec("chdb")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("chdb-core (or chdb) is not installed in this Python: run `npm run setup`")
    return list(spec.submodule_search_locations)[0]


def open_engine(package_dir):
    """Loads the engine's shared object as chdb/__init__.py does, from the engine's own directory. An
    engine built for every Python (`_chdb.abi3.so`: chdb-core, chdb 3.6 and later) gets RTLD_DEEPBIND, so its
    allocator and bundled libraries win over anything else in the process; one built for one Python
    (`_chdb.cpython-3XX-….so`: chdb 2.x to 3.5) is loaded plainly, as its own __init__ does (with
    DEEPBIND its first query crashes)."""
    found = sorted(glob.glob(os.path.join(package_dir, "_chdb.*so")))
    if not found:
        sys.exit(f"no _chdb engine library in {package_dir}: reinstall this ClickHouse (`npm run setup`)")
    library = found[0]
    mode = sys.getdlopenflags() | (0x8 if os.path.basename(library) == "_chdb.abi3.so" else 0)
    cwd = os.getcwd()
    os.chdir(package_dir)
    try:
        return ctypes.CDLL(library, mode=mode)
    finally:
        os.chdir(cwd)


def import_engine_module(package_dir):
    """The compiled `chdb._chdb` module (its library already loaded by open_engine), without
    chdb/__init__.py: that opens an in-process session at import, after which the command-line entry
    point fails ('EventNotifier is initialized twice')."""
    package = types.ModuleType("chdb")
    package.__path__ = [package_dir]
    sys.modules["chdb"] = package
    cwd = os.getcwd()
    os.chdir(package_dir)
    try:
        from chdb import _chdb  # noqa: E402
    finally:
        os.chdir(cwd)
    return _chdb


def http_port(config_path):
    port = ElementTree.parse(config_path).getroot().findtext("http_port")
    if not port or not port.isdigit():
        sys.exit(f"{config_path} has no numeric http_port")
    return int(port)


# clickhouse-server's entry point, `int mainEntryClickHouseServer(int, char **)`, as the C++ compiler names it.
SERVER_ENTRY = "_Z25mainEntryClickHouseServeriPPc"


def run_server_entry(entry, server_dir):
    """Runs clickhouse-server itself from the engine library, until it stops."""
    entry.restype = ctypes.c_int
    entry.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    args = [b"clickhouse-server", f"--config-file={os.path.join(server_dir, 'config.xml')}".encode()]
    print("clickhouse-local-server: starting clickhouse-server from the engine library", flush=True)
    # The server installs its own signal handlers (SIGTERM: a clean shutdown) and returns when it stops.
    code = entry(len(args), (ctypes.c_char_p * (len(args) + 1))(*args, None))
    print(f"clickhouse-local-server: clickhouse-server exited with {code}", flush=True)
    os._exit(code)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: clickhouse-local-server.py <server dir with config.xml>")
    server_dir = os.path.abspath(sys.argv[1])
    os.chdir(server_dir)
    port = http_port("config.xml")
    package_dir = engine_package_dir()
    library = open_engine(package_dir)
    if hasattr(library, SERVER_ENTRY):
        run_server_entry(getattr(library, SERVER_ENTRY), server_dir)
    engine = import_engine_module(package_dir)

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
