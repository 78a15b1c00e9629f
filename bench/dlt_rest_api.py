"""dlt's rest_api_source on the mock analytics API, into duckdb: the same config sluice runs.

Usage: python3 bench/dlt_rest_api.py <base_url> <api_key> <page_size> <work_dir>
Prints one JSON line: {"rows": N, "seconds": S, "dlt": version}.
"""
import json
import os
import sys
import time


def main() -> None:
    base_url, api_key, page_size, work_dir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    os.environ["DLT_DATA_DIR"] = os.path.join(work_dir, "data")
    os.environ["RUNTIME__LOG_LEVEL"] = "WARNING"
    import dlt
    import duckdb
    from dlt.sources.rest_api import rest_api_source

    source = rest_api_source({
        "client": {
            "base_url": base_url,
            "auth": {"type": "api_key", "name": "api_key", "api_key": api_key, "location": "query"},
        },
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": [{
            "name": "events",
            "endpoint": {
                "path": "/v1/resource",
                "data_selector": "data",
                "paginator": {"type": "offset", "limit": page_size, "total_path": "total"},
            },
        }],
    })
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
        rows = con.execute("select count(*) from analytics.events").fetchone()[0]
    print(json.dumps({"rows": rows, "seconds": seconds, "dlt": dlt.__version__}))


if __name__ == "__main__":
    main()
