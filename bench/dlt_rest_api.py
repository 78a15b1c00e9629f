"""dlt's rest_api_source on the benchmark's APIs, into duckdb: the same config sluice runs.

Usage: python3 bench/dlt_rest_api.py <config_json> <resource> <work_dir>
<config_json> is a file holding dlt's rest_api config (credentials already in it); <resource> the
resource whose rows are counted. Prints one JSON line: {"rows": N, "seconds": S, "dlt": version}.
"""
import json
import os
import sys
import time


def main() -> None:
    config_path, resource, work_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    os.environ["DLT_DATA_DIR"] = os.path.join(work_dir, "data")
    os.environ["RUNTIME__LOG_LEVEL"] = "WARNING"
    import dlt
    import duckdb
    from dlt.sources.rest_api import rest_api_source

    with open(config_path, encoding="utf-8") as f:
        source = rest_api_source(json.load(f))
    db_path = os.path.join(work_dir, "dlt.duckdb")
    pipeline = dlt.pipeline(
        pipeline_name="bench",
        pipelines_dir=os.path.join(work_dir, "pipelines"),
        destination=dlt.destinations.duckdb(db_path),
        dataset_name="analytics",
    )
    started = time.perf_counter()
    pipeline.run(source)
    seconds = time.perf_counter() - started
    with duckdb.connect(db_path) as con:
        # The resource name comes from the bench's own config, never from outside input.
        rows = con.execute(f'select count(*) from analytics."{resource}"').fetchone()[0]
    print(json.dumps({"rows": rows, "seconds": seconds, "dlt": dlt.__version__}))


if __name__ == "__main__":
    main()
