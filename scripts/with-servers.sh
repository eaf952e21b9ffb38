#!/usr/bin/env bash
# Start the bot exactly as `make run` does (scripts/run.sh, the project's endpoints.yml and
# tracker store) on free ports with its own SQLite file, wait until it answers over REST,
# run the given command with BOT_URL set to the REST webhook, then stop the bot.
#   scripts/with-servers.sh .venv/bin/python scripts/evaluate.py
set -uo pipefail
cd "$(dirname "$0")/.."
ports=$(.venv/bin/python scripts/free_ports.py 3) || { echo "with-servers.sh: no free ports" >&2; exit 1; }
read -r port_1 port_2 port_3 <<< "$ports"
export RASA_PORT=${RASA_PORT:-$port_1} ACTIONS_PORT=${ACTIONS_PORT:-$port_2}
export WEB_PORT=${WEB_PORT:-$port_3}  # the demo page too, so a running `make run` is no obstacle
workdir=$(mktemp -d)
export TRACKER_STORE_URL="sqlite:///$workdir/conversations.db"
export BOT_URL="http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook"

setsid scripts/run.sh > "$workdir/servers.log" 2>&1 &
servers=$!
stop() { kill -- -"$servers" 2>/dev/null; wait "$servers" 2>/dev/null; rm -rf "$workdir"; }
trap stop EXIT

for _ in $(seq 1 180); do
  if curl -sf -m 5 "http://127.0.0.1:$ACTIONS_PORT/health" >/dev/null &&
     curl -sf -m 5 -H 'Content-Type: application/json' \
       -d '{"sender":"with-servers-probe","message":"hi"}' "$BOT_URL" | grep -q text; then
    "$@"
    exit $?
  fi
  kill -0 "$servers" 2>/dev/null || break
  sleep 1
done
echo "with-servers.sh: the bot did not start; its log:" >&2
tail -50 "$workdir/servers.log" >&2
exit 1
