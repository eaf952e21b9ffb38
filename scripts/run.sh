#!/usr/bin/env bash
# Run the action server, Rasa and the widget demo page together in the foreground. Ctrl-C
# (or any of them exiting) stops all, so nothing is left listening on 5055/5005/8080.
#   scripts/run.sh         REST channel on http://localhost:5005/webhooks/rest/webhook,
#                          socket.io for the widget, demo page on http://localhost:8080
#   scripts/run.sh shell   chat in this terminal
#   scripts/run.sh rasa    Rasa alone; scripts/run.sh actions   the action server alone
#                          (scripts/cluster.sh runs several Rasa replicas this way)
# Ports and variables (API token, allowed origins, Telegram): docs/channels.md.
# Conversation storage (TRACKER_STORE_URL) and cluster mode: docs/operations.md.
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
BIN=.venv/bin
MODEL=${MODEL:-models/careers.tar.gz}
ENDPOINTS=${ENDPOINTS:-endpoints.yml}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
export WEB_PORT=${WEB_PORT:-8080}
# endpoints.yml reads these. Conversations go to a SQLite file by default, so they survive
# a restart; any SQLAlchemy URL works (postgresql://user:password@host:5432/db).
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTIONS_PORT/webhook}
# The action server listens on loopback only (containers set 0.0.0.0 inside their network)
# and answers only requests carrying ACTIONS_TOKEN, which Rasa sends (endpoints.yml).
export ACTIONS_HOST=${ACTIONS_HOST:-127.0.0.1}
export TRACKER_STORE_URL=${TRACKER_STORE_URL:-sqlite:///conversations.db}
# Where browsers reach Rasa, and the pages allowed to talk to it (CORS and the socket.io
# Origin check; credentials.yml reads ALLOWED_ORIGINS).
export RASA_PUBLIC_URL=${RASA_PUBLIC_URL:-http://localhost:$RASA_PORT}
export ALLOWED_ORIGINS=${ALLOWED_ORIGINS:-"http://localhost:$WEB_PORT http://127.0.0.1:$WEB_PORT"}
read -ra allowed_origins <<< "${ALLOWED_ORIGINS//,/ }"
# Sanic answers 413 to a larger request body (bytes) before Rasa reads it.
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-1000000}

# Rasa's HTTP API (models, trackers, training) is enabled only with authentication:
# scripts/rasa_cli.py hands RASA_AUTH_TOKEN and RASA_JWT_SECRET (or their _FILE) to Rasa
# inside the process, so they are not on a command line, which `ps` shows to every user.
api_args=()
if [ -n "${RASA_JWT_SECRET:-}${RASA_JWT_SECRET_FILE:-}" ]; then
  api_args+=(--jwt-method "${RASA_JWT_METHOD:-HS256}")
fi

# Telegram joins the channels when its token is set; Rasa refuses to start on an unset
# ${VAR} in credentials, so its section is added only then.
credentials=credentials.yml
if [ -n "${TELEGRAM_TOKEN:-}" ]; then
  for var in TELEGRAM_BOT_USERNAME TELEGRAM_WEBHOOK_URL TELEGRAM_SECRET_TOKEN; do
    if [ -z "${!var:-}" ]; then
      echo "run.sh: TELEGRAM_TOKEN is set, so $var must be too (docs/channels.md)." >&2
      exit 2
    fi
  done
  export TELEGRAM_API_URL=${TELEGRAM_API_URL:-https://api.telegram.org}
  credentials=$(mktemp --suffix .yml)
  cat credentials.yml channels/telegram-credentials.yml > "$credentials"
fi

# On SIGTERM or SIGINT every server gets SIGTERM and STOP_TIMEOUT seconds to finish the
# request at hand; what still runs then is killed, so the ports are free when this exits.
STOP_TIMEOUT=${STOP_TIMEOUT:-8}
pids=()
stop() {
  # Once, to the end: make passes SIGTERM on to its recipe, so a signal to make's process
  # group arrives here twice, and a second one would kill this script mid-stop.
  trap '' INT TERM
  trap - EXIT
  kill -TERM "${pids[@]}" 2>/dev/null
  local deadline=$((${EPOCHREALTIME/./} + STOP_TIMEOUT * 1000000))
  while kill -0 "${pids[@]}" 2>/dev/null && [ "${EPOCHREALTIME/./}" -lt "$deadline" ]; do
    sleep 0.1
  done
  if kill -KILL "${pids[@]}" 2>/dev/null; then
    echo "run.sh: a server still ran after ${STOP_TIMEOUT}s; killed." >&2
  fi
  wait "${pids[@]}" 2>/dev/null
  if [ "$credentials" != credentials.yml ]; then rm -f "$credentials"; fi
  if [ -n "${1:-}" ]; then exit "$1"; fi
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap stop EXIT
mode=${1:-all}

# Without a token, one for this start, shared through the environment (not the command
# line, which `ps` shows). Rasa alone or the action server alone need the other's token.
if [ -z "${ACTIONS_TOKEN:-}" ]; then
  if [ "$mode" = rasa ] || [ "$mode" = actions ]; then
    echo "run.sh: set ACTIONS_TOKEN, the same for Rasa and the action server (docs/channels.md)." >&2
    exit 2
  fi
  ACTIONS_TOKEN=$("$BIN/python" -c 'import secrets; print(secrets.token_hex(32))')
fi
export ACTIONS_TOKEN

if [ "$mode" != rasa ]; then
  "$BIN/python" -m actions.server --actions actions --port "$ACTIONS_PORT" &
  pids+=($!)
fi

if [ "$mode" = shell ]; then
  "$BIN/rasa" shell --model "$MODEL" --endpoints "$ENDPOINTS"
  exit $?
fi

if [ "$mode" != actions ]; then
  "$BIN/python" scripts/rasa_cli.py run --model "$MODEL" --endpoints "$ENDPOINTS" \
    --credentials "$credentials" --port "$RASA_PORT" --cors "${allowed_origins[@]}" \
    "${api_args[@]}" &
  pids+=($!)
fi

# The widget demo page, if built (`make run` builds it first).
if [ "$mode" = all ] && [ -f web/dist/index.html ]; then
  "$BIN/python" web/serve.py &
  pids+=($!)
elif [ "$mode" = all ]; then
  echo "run.sh: no demo page on port $WEB_PORT: the widget is not built (make widget)." >&2
fi

# Whichever stops first (a crash, a bad knowledge file, a busy port) takes the others down.
wait -n "${pids[@]}"
status=$?
echo "run.sh: a server stopped (exit $status); stopping the others." >&2
exit "$status"
