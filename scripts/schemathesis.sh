#!/usr/bin/env bash
# Runs schemathesis (PyPI) with every check against a freshly started tallylab server on
# loopback, and fails on any server error or conformance failure.
#
#   scripts/schemathesis.sh [path/to/tallylab] [extra st run arguments...]
#
# The server uses a throw-away DATA_DIR and only the embedded default (no provider keys), so
# nothing leaves the machine. Schemathesis is installed into target/schemathesis (a venv).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$root/target/debug/tallylab}
shift || true
version=4.32.5
venv=$root/target/schemathesis

if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$version"; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian's python3 keeps venv in a package of its own.
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key=schemathesis-$RANDOM$RANDOM
API_KEY=$key PORT=$port BIND_ADDRESS=127.0.0.1 DATA_DIR=$data RUST_LOG=warn \
  "$binary" serve > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT

for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done

# Real identifiers, so the operations that read one reach their logic instead of 404: an
# experiment pair run on the built-in dataset, an async task, and a record of that dataset.
api() { curl -fsS -H "X-API-Key: $key" -H 'Content-Type: application/json' "$@"; }
base=http://127.0.0.1:$port/api/v1
dataset=vote-extraction-bangbamru-1-10
run='{"dataset_name":"'$dataset'","model_configs":[{"model":"rules-v1"}],"sample_size":2}'
pair='{"dataset_name":"'$dataset'","model_configs":[{"model":"rules-v1"},{"model":"rules-v1","temperature":0.5}],"sample_size":2}'
export ST_COMPARE_IDS=$(api -d "$pair" "$base/experiments/run" |
  python3 -c 'import json,sys; print(",".join(e["experiment_id"] for e in json.load(sys.stdin)["experiments"]))')
export ST_EXPERIMENT_ID=${ST_COMPARE_IDS%%,*}
export ST_TASK_ID=$(api -d "$run" "$base/experiments/run-async" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["task_id"])')
export ST_RECORD_ID=$(api "$base/datasets/$dataset/records?limit=1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
export ST_DATASET=$dataset

cd "$data"
PYTHONPATH=$root/scripts SCHEMATHESIS_HOOKS=schemathesis_hooks \
  "$venv/bin/st" --config-file "$root/scripts/schemathesis.toml" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --checks all \
  --header "X-API-Key: $key" \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --workers 1 \
  --request-timeout 30 \
  --no-color \
  "$@"
