#!/usr/bin/env bash
# Run the action server and Rasa together in the foreground. Ctrl-C (or either process
# exiting) stops both, so nothing is left listening on 5055/5005.
#   scripts/run.sh         REST channel on http://localhost:5005/webhooks/rest/webhook
#   scripts/run.sh shell   chat in this terminal
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
BIN=.venv/bin
MODEL=${MODEL:-models/careers.tar.gz}
ENDPOINTS=${ENDPOINTS:-endpoints.yml}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}

pids=()
stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
}
trap stop INT TERM EXIT

"$BIN/python" -m rasa_sdk --actions actions --port "$ACTIONS_PORT" &
pids+=($!)

if [ "${1:-}" = "shell" ]; then
  "$BIN/rasa" shell --model "$MODEL" --endpoints "$ENDPOINTS"
  exit $?
fi

"$BIN/rasa" run --model "$MODEL" --endpoints "$ENDPOINTS" --credentials credentials.yml \
  --port "$RASA_PORT" &
pids+=($!)

# Whichever stops first (a crash, a bad knowledge file) takes the other down with it.
wait -n "${pids[@]}"
status=$?
echo "run.sh: a server stopped (exit $status); stopping the other." >&2
exit "$status"
