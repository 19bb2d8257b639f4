#!/usr/bin/env bash
# kubernetes.io "Use Port Forwarding to Access Applications in a Cluster": port-forward to a
# pod, a deployment and a service (named target port), a random local port, several ports.
# (the docs use a redis Deployment and redis-cli; offline only `busybox` exists: busybox httpd
# serves on 6379 instead and wget/curl stand in for redis-cli)
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns pf

f=$(manifest redis.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: redis-master, labels: {app: redis}}
spec:
  selector: {matchLabels: {app: redis, role: master, tier: backend}}
  replicas: 1
  template:
    metadata: {labels: {app: redis, role: master, tier: backend}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: master
        image: busybox
        command: [sh, -c, "mkdir -p /www /www2; echo PONG > /www/index.html; echo second > /www2/index.html; httpd -p 7001 -h /www2; httpd -f -p 6379 -h /www"]
        ports:
        - {name: redis, containerPort: 6379}
---
apiVersion: v1
kind: Service
metadata: {name: redis-master, labels: {app: redis, role: master, tier: backend}}
spec:
  ports: [{name: redis, port: 6379, targetPort: redis}]
  selector: {app: redis, role: master, tier: backend}
YAML
)
ok k apply -n "$NS" -f "$f"
ok k rollout status deployment/redis-master -n "$NS" --timeout=90s
ok k get pods -n "$NS" -l app=redis -o jsonpath='{.items[0].metadata.name}'
pod=$LAST_OUT
ok k get pod "$pod" -n "$NS" --template='{{(index (index .spec.containers 0).ports 0).containerPort}}{{"\n"}}'
expect_eq "$LAST_OUT" "6379"

pids=()
defer_kill() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap 'defer_kill; _cleanup' EXIT

# forward, wait for the "Forwarding from" line, then talk through it
forward() { # forward OUTFILE ARGS...
  local out=$1; shift
  kubectl port-forward -n "$NS" "$@" >"$out" 2>&1 &
  pids+=($!)
  local i
  for i in $(seq 1 40); do grep -q 'Forwarding from' "$out" && return 0; sleep 0.25; done
  fail "port-forward $* did not start: $(cat "$out")"
}
o1=$(mktemp); o2=$(mktemp); o3=$(mktemp); o4=$(mktemp); o5=$(mktemp)
base=$((20000 + RANDOM % 20000))

forward "$o1" "pod/$pod" "$base:6379"
expect_contains "$(cat "$o1")" "Forwarding from 127.0.0.1:$base -> 6379"
ok curl -s --max-time 5 "http://127.0.0.1:$base/"
expect_eq "$LAST_OUT" "PONG"
grep -q "Handling connection for $base" "$o1" || fail "port-forward should log 'Handling connection for $base': $(cat "$o1")"
# two connections in a row through the same forward
ok curl -s --max-time 5 "http://127.0.0.1:$base/"
expect_eq "$LAST_OUT" "PONG"

forward "$o2" deployment/redis-master "$((base + 1)):6379"
ok curl -s --max-time 5 "http://127.0.0.1:$((base + 1))/"
expect_eq "$LAST_OUT" "PONG"

forward "$o3" service/redis-master "$((base + 2)):redis"
ok curl -s --max-time 5 "http://127.0.0.1:$((base + 2))/"
expect_eq "$LAST_OUT" "PONG"

# a random local port
forward "$o4" "pod/$pod" :6379
lp=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) -> 6379$/\1/p' "$o4" | head -1)
[ -n "$lp" ] || fail "no local port chosen: $(cat "$o4")"
ok curl -s --max-time 5 "http://127.0.0.1:$lp/"
expect_eq "$LAST_OUT" "PONG"

# several ports at once
forward "$o5" "pod/$pod" "$((base + 3)):6379" "$((base + 4)):7001"
ok curl -s --max-time 5 "http://127.0.0.1:$((base + 4))/"
expect_eq "$LAST_OUT" "second"
ok curl -s --max-time 5 "http://127.0.0.1:$((base + 3))/"
expect_eq "$LAST_OUT" "PONG"

# a port nothing listens on: the connection fails, the forward keeps running
run curl -s --max-time 5 "http://127.0.0.1:$base/" -o /dev/null
o6=$(mktemp)
forward "$o6" "pod/$pod" "$((base + 5)):6390"
refused curl -s --max-time 5 "http://127.0.0.1:$((base + 5))/"
sleep 1
grep -q 'error forwarding port 6390' "$o6" || fail "port-forward should report the failed connection: $(cat "$o6")"
ok curl -s --max-time 5 "http://127.0.0.1:$base/"
expect_eq "$LAST_OUT" "PONG"
rm -f "$o1" "$o2" "$o3" "$o4" "$o5" "$o6"
