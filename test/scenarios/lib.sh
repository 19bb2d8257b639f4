# Helpers for skiff's own scenarios, on top of the shared lib.sh (run.sh passes its path
# in SCENARIO_LIB; run.sh skips files named lib.sh, so this one is never run by itself).
# shellcheck source=/dev/null
source "${SCENARIO_LIB:?run scenarios through ../shared/scenarios/run.sh}"

SKIFF_MAIN=${SKIFF_MAIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/dist/cmd/main.js}
skiff() { node "$SKIFF_MAIN" "$@"; }

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# The port of the cluster in $KUBECONFIG.
kubeconfig_port() {
  k config view --minify -o jsonpath='{.clusters[0].cluster.server}' | sed 's/.*://'
}

_servers=()
_kill_server() { kill -9 "$1" 2>/dev/null; }

# start_server DIR PORT [FLAGS...]: a skiff server of this scenario's own, on loopback, in
# the background ($SERVER_PID, log in DIR.log). Waits until /readyz says ok.
start_server() {
  local dir=$1 port=$2; shift 2
  node "$SKIFF_MAIN" server --data-dir "$dir" --port "$port" --host 127.0.0.1 "$@" >>"$dir.log" 2>&1 &
  SERVER_PID=$!
  _servers+=("$SERVER_PID")
  defer _kill_server "$SERVER_PID"
  local deadline=$((SECONDS + 30))
  until [ -f "$dir/kubeconfig.yaml" ] && [ "$(k --kubeconfig "$dir/kubeconfig.yaml" get --raw /readyz 2>/dev/null)" == ok ]; do
    kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited during start-up: $(tail -n 20 "$dir.log")"
    [ $SECONDS -ge $deadline ] && fail "server not ready within 30s: $(tail -n 20 "$dir.log")"
    sleep 0.1
  done
}

# stop_server PID SIGNAL SECONDS: signal a server this shell started and wait for it to
# exit; $STOP_RC is its exit code (137 when it had to be killed after SECONDS).
stop_server() {
  local pid=$1 sig=$2 deadline=$((SECONDS + ${3:-10}))
  kill -s "$sig" "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && kill -9 "$pid" 2>/dev/null
    sleep 0.05
  done
  wait "$pid" 2>/dev/null
  STOP_RC=$?
}

# wait_log FILE REGEX SECONDS: until the file has a line matching REGEX.
wait_log() {
  local deadline=$((SECONDS + $3))
  until grep -qE "$2" "$1" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && fail "no line matching /$2/ in $1 within $3s: $(tail -n 5 "$1" 2>/dev/null)"
    sleep 0.02
  done
}
