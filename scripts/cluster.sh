#!/usr/bin/env bash
# Cluster mode on this machine (docs/operations.md): the action server, RASA_REPLICAS Rasa
# replicas and nginx in front of them, in the foreground; Ctrl-C stops them all.
#   scripts/cluster.sh     REST channel on http://localhost:5005/webhooks/rest/webhook
# The replicas share PostgreSQL (tracker store) and Redis (lock store) through
# deploy/endpoints.yml; nginx renders deploy/nginx.conf.template. docker-compose.yml runs
# the same configuration in containers.
# Like a container restart policy, a component that exits is started again after a second,
# so one replica can die while the others keep serving.
set -uo pipefail
cd "$(dirname "$0")/.."

export CLUSTER_PORT=${CLUSTER_PORT:-5005}
RASA_REPLICAS=${RASA_REPLICAS:-2}
# Replica i listens on RASA_FIRST_PORT + i - 1, behind nginx.
RASA_FIRST_PORT=${RASA_FIRST_PORT:-5006}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
# nginx in front of the action server: the polite reply while it is down.
export ACTIONS_GATEWAY_PORT=${ACTIONS_GATEWAY_PORT:-5054}
export ACTION_ENDPOINT_URL=http://127.0.0.1:$ACTIONS_GATEWAY_PORT/webhook
export ACTION_SERVER=127.0.0.1:$ACTIONS_PORT
# What Rasa sends and the action server checks on every call: one for all the components.
export ACTIONS_TOKEN=${ACTIONS_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')}
# Signs the widget's socket.io sessions (channels/sessions.py): the same for every replica.
export SOCKETIO_SESSION_SECRET=${SOCKETIO_SESSION_SECRET:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')}

# No default passwords: the operator says what they are. Set to empty only for a server that
# asks none (PostgreSQL `trust` on loopback, Redis without requirepass), as on a dev machine.
for var in POSTGRES_PASSWORD REDIS_PASSWORD; do
  if [ -z "${!var+set}" ]; then
    echo "cluster.sh: set $var to the password of the server (docs/operations.md);" \
      "$var= (empty) only if that server asks for none." >&2
    exit 2
  fi
done
export POSTGRES_PASSWORD REDIS_PASSWORD
export POSTGRES_HOST=${POSTGRES_HOST:-127.0.0.1} POSTGRES_PORT=${POSTGRES_PORT:-5432}
export POSTGRES_DB=${POSTGRES_DB:-rasa} POSTGRES_USER=${POSTGRES_USER:-postgres}
export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379} REDIS_DB=${REDIS_DB:-1}
export LOCK_STORE_KEY_PREFIX=${LOCK_STORE_KEY_PREFIX:-careers}
# Browsers reach Rasa through nginx.
export RASA_PUBLIC_URL=${RASA_PUBLIC_URL:-http://localhost:$CLUSTER_PORT}
# Sanic worker processes per replica (Rasa allows more than one with a Redis lock store).
export SANIC_WORKERS=${SANIC_WORKERS:-1}
# A replica that dies while handling a message leaves its ticket in the conversation's
# lock: that conversation waits until the ticket expires (Rasa's default is 60 s). Waiting
# messages renew their tickets (stores/lock_store.py), so the lifetime only has to cover
# handling one message.
export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-15}

# nginx's limits per client address (deploy/nginx.conf.template, docs/channels.md).
export PER_ADDRESS_RATE=${PER_ADDRESS_RATE:-20} PER_ADDRESS_BURST=${PER_ADDRESS_BURST:-40}
export PER_ADDRESS_CONNECTIONS=${PER_ADDRESS_CONNECTIONS:-40}

NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
if [ ! -x "$NGINX" ]; then
  echo "cluster.sh: nginx is not installed (\`make cluster\` installs Debian's package)." >&2
  exit 2
fi

# Logs, pid files and nginx's working files (removed at exit unless CLUSTER_RUN_DIR is
# given). Each component's process group id is in <name>.pid: tests kill a replica by it.
RUN_DIR=${CLUSTER_RUN_DIR:-$(mktemp -d)}
mkdir -p "$RUN_DIR/nginx"
echo "cluster.sh: logs in $RUN_DIR" >&2

RASA_SERVERS=""
for i in $(seq 1 "$RASA_REPLICAS"); do
  RASA_SERVERS+="server 127.0.0.1:$((RASA_FIRST_PORT + i - 1)) max_fails=1 fail_timeout=5s; "
done
# What the nginx image's envsubst does in docker-compose.yml, for our variables only:
# nginx's own ($host, $remote_addr, ...) stay as they are.
sed -e "s|\${RASA_SERVERS}|$RASA_SERVERS|g" -e "s|\${ACTION_SERVER}|$ACTION_SERVER|g" \
  -e "s|\${CLUSTER_PORT}|$CLUSTER_PORT|g" -e "s|\${ACTIONS_GATEWAY_PORT}|$ACTIONS_GATEWAY_PORT|g" \
  -e "s|\${PER_ADDRESS_RATE}|$PER_ADDRESS_RATE|g" -e "s|\${PER_ADDRESS_BURST}|$PER_ADDRESS_BURST|g" \
  -e "s|\${PER_ADDRESS_CONNECTIONS}|$PER_ADDRESS_CONNECTIONS|g" \
  deploy/nginx.conf.template > "$RUN_DIR/nginx/cluster.conf"
cat > "$RUN_DIR/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $RUN_DIR/nginx/nginx.pid;
error_log $RUN_DIR/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $RUN_DIR/nginx/body;
    proxy_temp_path $RUN_DIR/nginx/proxy;
    fastcgi_temp_path $RUN_DIR/nginx/fastcgi;
    uwsgi_temp_path $RUN_DIR/nginx/uwsgi;
    scgi_temp_path $RUN_DIR/nginx/scgi;
    include $RUN_DIR/nginx/cluster.conf;
}
EOF

supervise() {
  local name=$1 pid status
  shift
  # A signal to this script's process group is stop()'s to handle; the supervisor stays to
  # reap its component (an orphan's zombie would look running to stop() until init reaps
  # it). A trap, not ignoring: the component starts with the default handlers again.
  trap : INT TERM
  while [ ! -e "$RUN_DIR/stopping" ]; do
    setsid "$@" >> "$RUN_DIR/$name.log" 2>&1 &
    pid=$!
    echo "$pid" > "$RUN_DIR/$name.pid"
    wait "$pid"
    status=$?
    # The trap ends `wait` early, while the component still runs.
    while kill -0 "$pid" 2>/dev/null; do
      wait "$pid"
      status=$?
    done
    [ -e "$RUN_DIR/stopping" ] && break
    echo "cluster.sh: $name exited (status $status); starting it again." >&2
    sleep 1
  done
}

# On SIGTERM or SIGINT every component's process group gets SIGTERM and STOP_TIMEOUT
# seconds to finish; what still runs then is killed, so the ports are free when this exits.
export STOP_TIMEOUT=${STOP_TIMEOUT:-8}
stop() {
  # Once, to the end: make passes SIGTERM on to its recipe, so a signal to make's process
  # group arrives here twice, and a second one would kill this script mid-stop.
  trap '' INT TERM
  trap - EXIT
  touch "$RUN_DIR/stopping"
  # The components run in sessions of their own (setsid) and are not this script's
  # children: `wait` cannot wait for them and a signal to this script's process group does
  # not reach them. Each is signalled, and waited for, by its group.
  local deadline=$((${EPOCHREALTIME/./} + STOP_TIMEOUT * 1000000)) running=1 group
  local -A signalled=()
  while [ "$running" = 1 ] && [ "${EPOCHREALTIME/./}" -lt "$deadline" ]; do
    running=0
    for group in $(cat "$RUN_DIR"/*.pid 2>/dev/null); do
      kill -0 -- "-$group" 2>/dev/null || continue
      running=1
      # Re-read each time: a supervisor may have restarted its component just now.
      if [ -z "${signalled[$group]:-}" ]; then
        kill -TERM -- "-$group" 2>/dev/null
        signalled[$group]=1
      fi
    done
    if [ "$running" = 1 ]; then sleep 0.1; fi
  done
  for pidfile in "$RUN_DIR"/*.pid; do
    if kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null; then
      echo "cluster.sh: $(basename "$pidfile" .pid) still ran after ${STOP_TIMEOUT}s; killed." >&2
    fi
  done
  wait  # the supervisors, which end once their component has
  if [ -z "${CLUSTER_RUN_DIR:-}" ]; then rm -rf "$RUN_DIR"; fi
  if [ -n "${1:-}" ]; then exit "$1"; fi
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap stop EXIT

supervise actions env ACTIONS_PORT="$ACTIONS_PORT" scripts/run.sh actions &
for i in $(seq 1 "$RASA_REPLICAS"); do
  supervise "rasa-$i" env RASA_PORT=$((RASA_FIRST_PORT + i - 1)) \
    ENDPOINTS=deploy/endpoints.yml scripts/run.sh rasa &
done
supervise nginx "$NGINX" -e "$RUN_DIR/nginx/error.log" -c "$RUN_DIR/nginx/nginx.conf" \
  -g 'daemon off;' &
wait
