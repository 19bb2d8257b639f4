#!/usr/bin/env bash
# needs: api
# timeout: 60
# --datastore memory runs a full API server whose objects vanish with the process.
source "$(dirname "$0")/lib.sh"

dir=$(mktemp -d)
defer rm -rf "$dir"
port=$(free_port)
start_server "$dir/m" "$port" --datastore memory
kc="$dir/m/kubeconfig.yaml"
ok k --kubeconfig "$kc" create configmap gone --from-literal=a=b -n default
ok k --kubeconfig "$kc" get configmap gone -n default
[ -e "$dir/m/db/state.db" ] && fail "memory datastore wrote a database file"
stop_server "$SERVER_PID" TERM 15
expect_eq "$STOP_RC" 0 "exit code after SIGTERM"

start_server "$dir/m" "$port" --datastore memory
refused k --kubeconfig "$kc" get configmap gone -n default
expect_contains "$LAST_ERR" "NotFound"
ok k --kubeconfig "$kc" get namespace default
stop_server "$SERVER_PID" TERM 15
expect_eq "$STOP_RC" 0 "exit code after SIGTERM"
