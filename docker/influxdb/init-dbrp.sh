#!/bin/bash
# Runs once, after the influxdb:2 image's first-time setup (/docker-entrypoint-initdb.d).
# Maps database "waddle" / retention policy "autogen" to the bucket, so Grafana's InfluxQL
# datasource (and the dashboards' raw InfluxQL queries) can read it through the v1 compatibility API.
set -euo pipefail
bucket_id="$(influx bucket list --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --hide-headers | cut -f1)"
influx v1 dbrp create --db "${DOCKER_INFLUXDB_INIT_BUCKET}" --rp autogen --bucket-id "${bucket_id}" --default
