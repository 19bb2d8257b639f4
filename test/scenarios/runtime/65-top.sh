#!/usr/bin/env bash
# kubectl top against the resource metrics API (metrics.k8s.io/v1beta1), which skiff serves
# in-process the way k3s bundles metrics-server: a busy pod (a shell loop capped at 200m)
# against an idle one with two containers — per-pod and per-container usage, sorting, label
# selectors, -A, one pod by name, the node's CPU% and MEMORY%, and the messages for a pod
# that does not exist and a namespace without pods. The first metrics request starts the
# collector (it scrapes the kubelets' /stats/summary every 15 s while asked).
# needs: runtime
# timeout: 200
source "${SCENARIO_LIB:?}"
new_ns top
empty="top-empty-$RANDOM$RANDOM"
ok k create namespace "$empty"
defer k delete namespace "$empty" --wait=false

f=$(manifest top.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: busy, labels: {app: busy}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: spin
    image: busybox
    command: ["sh", "-c", "while :; do :; done"]
    resources:
      limits: {cpu: 200m, memory: 32Mi}
---
apiVersion: v1
kind: Pod
metadata: {name: idle, labels: {app: idle}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: first
    image: busybox
    command: ["sleep", "3600"]
  - name: second
    image: busybox
    command: ["sleep", "3600"]
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/busy pod/idle -n "$NS" --timeout=90s
node=$(jp pod/busy '{.spec.nodeName}' -n "$NS")
[ -n "$node" ] || fail "busy has no node"

# what kubectl top checks before anything else: the group in discovery
ok k api-resources --api-group=metrics.k8s.io --no-headers
expect_match "$LAST_OUT" 'nodes +metrics.k8s.io/v1beta1 +false +NodeMetrics'
expect_match "$LAST_OUT" 'pods +metrics.k8s.io/v1beta1 +true +PodMetrics'

# both pods get metrics within a scrape or two
wait_match 60 'busy +[0-9]+m .*'$'\n''idle +[0-9]+m ' k top pod -n "$NS" --no-headers
# the busy loop runs at its 200m limit; let a full 15 s window cover it
sleep 16
ok k top pod -n "$NS"
expect_match "$LAST_OUT" '^NAME +CPU\(cores\) +MEMORY\(bytes\)'
busy=$(awk '$1 == "busy" { sub(/m$/, "", $2); print $2 }' <<<"$LAST_OUT")
idle=$(awk '$1 == "idle" { sub(/m$/, "", $2); print $2 }' <<<"$LAST_OUT")
[ -n "$busy" ] && [ -n "$idle" ] || fail "no CPU column for busy/idle"
[ "$busy" -ge 120 ] && [ "$busy" -le 260 ] || fail "busy uses ${busy}m, want about its 200m limit"
[ "$idle" -le 20 ] || fail "idle uses ${idle}m"
expect_match "$LAST_OUT" 'busy +[0-9]+m +[0-9]+Mi'

ok k top pod -n "$NS" --containers --no-headers
expect_match "$LAST_OUT" 'busy +spin +[0-9]+m +[0-9]+Mi'
expect_match "$LAST_OUT" 'idle +first +[0-9]+m +[0-9]+Mi'
expect_match "$LAST_OUT" 'idle +second +[0-9]+m +[0-9]+Mi'

ok k top pod -n "$NS" --sort-by=cpu --no-headers
expect_match "$(head -1 <<<"$LAST_OUT")" '^busy ' "--sort-by=cpu puts the busy pod first"
ok k top pod -n "$NS" --sort-by=memory --no-headers
expect_eq "$(wc -l <<<"$LAST_OUT")" 2
ok k top pod -n "$NS" -l app=idle --no-headers
expect_match "$LAST_OUT" '^idle +[0-9]+m +[0-9]+Mi *$'
ok k top pod busy -n "$NS" --no-headers
expect_match "$LAST_OUT" '^busy +[0-9]+m +[0-9]+Mi *$'
ok k top pod -A
expect_match "$LAST_OUT" '^NAMESPACE +NAME +CPU\(cores\) +MEMORY\(bytes\)'
expect_match "$LAST_OUT" "$NS +busy +[0-9]+m"

ok k get --raw "/apis/metrics.k8s.io/v1beta1/namespaces/$NS/pods/busy"
expect_match "$LAST_OUT" '"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":\{"name":"busy","namespace":"'"$NS"'","creationTimestamp":"[^"]+Z","labels":\{"app":"busy"\}\},"timestamp":"[^"]+Z","window":"[0-9.]+m?s","containers":\[\{"name":"spin","usage":\{"cpu":"[0-9]+[nm]?","memory":"[0-9]+(Ki|Mi)?"\}\}\]'

# the node: usage against allocatable
ok k top node
expect_match "$LAST_OUT" '^NAME +CPU\(cores\) +CPU(\(%\)|%) +MEMORY\(bytes\) +MEMORY(\(%\)|%)'
expect_match "$LAST_OUT" "$node +[0-9]+m +[0-9]+% +[0-9]+Mi +[0-9]+%"
ok k top node "$node" --no-headers
expect_match "$LAST_OUT" "^$node +[0-9]+m +[0-9]+% +[0-9]+Mi +[0-9]+% *\$"
ok k top node --sort-by=memory
expect_contains "$LAST_OUT" "$node"

# what metrics-server answers for things without metrics
refused k top pod nosuchpod -n "$NS"
expect_contains "$LAST_ERR" 'pods "nosuchpod" not found'
ok k top pod -n "$empty"
expect_eq "$LAST_ERR" "No resources found in $empty namespace."
