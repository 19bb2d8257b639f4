#!/usr/bin/env bash
# needs: api
# timeout: 120
# A server of its own on a temp data dir: objects survive SIGTERM and a restart (same
# uid and resourceVersion), the PKI and kubeconfig are reused, --write-kubeconfig works,
# and both SIGTERM and SIGINT end the process cleanly with exit 0.
source "$(dirname "$0")/lib.sh"

dir=$(mktemp -d)
defer rm -rf "$dir"
port=$(free_port)
start_server "$dir/d" "$port" --write-kubeconfig "$dir/out/kc.yaml"
kc="$dir/d/kubeconfig.yaml"
expect_eq "$(stat -c %a "$dir/out/kc.yaml")" 600 "--write-kubeconfig file mode"
cmp -s "$kc" "$dir/out/kc.yaml" || fail "--write-kubeconfig differs from the data dir's kubeconfig"

ok k --kubeconfig "$kc" create namespace keep
ok k --kubeconfig "$kc" -n keep create configmap cm --from-literal=a=b
ok k --kubeconfig "$kc" -n keep create secret generic s --from-literal=password=hunter2
before=$(k --kubeconfig "$kc" -n keep get configmap cm -o jsonpath='{.metadata.uid} {.metadata.resourceVersion}')
ca_before=$(sha256sum <"$dir/d/pki/ca.crt")

stop_server "$SERVER_PID" TERM 15
expect_eq "$STOP_RC" 0 "exit code after SIGTERM"
expect_contains "$(tail -n 3 "$dir/d.log")" "stopped cleanly" "shutdown log"

start_server "$dir/d" "$port"
expect_contains "$(cat "$dir/d.log")" "pki: reused" "second start reuses the PKI"
expect_eq "$(sha256sum <"$dir/d/pki/ca.crt")" "$ca_before" "CA unchanged"
expect_eq "$(k --kubeconfig "$kc" -n keep get configmap cm -o jsonpath='{.metadata.uid} {.metadata.resourceVersion}')" "$before" "configmap after restart"
expect_eq "$(k --kubeconfig "$kc" -n keep get configmap cm -o jsonpath='{.data.a}')" b "configmap data after restart"
expect_eq "$(k --kubeconfig "$kc" -n keep get secret s -o jsonpath='{.data.password}' | base64 -d)" hunter2 "secret after restart"
ok k --kubeconfig "$kc" get namespace keep kube-system default

stop_server "$SERVER_PID" INT 15
expect_eq "$STOP_RC" 0 "exit code after SIGINT"
