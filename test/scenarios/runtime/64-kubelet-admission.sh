#!/usr/bin/env bash
# The kubelet's own admission (canAdmitPod): a pod bound straight to the node (spec.nodeName
# set by the client, no scheduler) that does not fit next to the pods the kubelet already
# admitted is rejected — Failed, reason OutOfpods and the kubelet's message once maxPods
# (KubeletConfiguration) pods run; it gets no sandbox. Room made by a deleted pod is usable
# again; pods left to the scheduler stay Pending ("Too many pods"). podPidsLimit becomes the
# pod cgroup's pids limit (read on this host). A server of its own.
# SCENARIO_DATA_DIR, SCENARIO_PORT, SCENARIO_KUBELET_PORT and SCENARIO_CLUSTER_CIDR pin what
# is otherwise fresh or random (hosts where other skiff nodes run).
# needs: runtime
# timeout: 240
source "$(dirname "$0")/../lib.sh"

dir=$(mktemp -d)
defer rm -rf "$dir"
data=${SCENARIO_DATA_DIR:-$dir/d}
cat >"$dir/kubelet.yaml" <<'EOF'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
maxPods: 3
podPidsLimit: 64
EOF
start_server "$data" "${SCENARIO_PORT:-$(free_port)}" --kubelet-port "${SCENARIO_KUBELET_PORT:-$(free_port)}" \
  --cluster-cidr "${SCENARIO_CLUSTER_CIDR:-10.$((150 + RANDOM % 50)).0.0/16}" --kubelet-config "$dir/kubelet.yaml"
pid=$SERVER_PID
export KUBECONFIG="$data/kubeconfig.yaml"
wait_for 90 1 nodes_ready
node=$(ready_node)
ok k get node "$node" -o jsonpath='{.status.allocatable.pods}'
expect_eq "$LAST_OUT" 3
k create namespace adm >/dev/null
defer k delete namespace adm --timeout=60s
# pods of the server's own already on the node take room too
used=$(k get pods -A --field-selector "spec.nodeName=$node,status.phase!=Failed,status.phase!=Succeeded" -o name | wc -l)
[ "$used" -lt 3 ] || fail "the node is full before the scenario starts ($used pods)"

# pod NAME [nodeName]: a small pod, bound to the node when a node name is given
pod() {
  k apply -n adm -f - <<EOF
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "$1"},
 "spec": {$([ -n "${2:-}" ] && echo "\"nodeName\": \"$2\",") "terminationGracePeriodSeconds": 1,
          "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}}
EOF
}
names=()
for i in $(seq 1 $((3 - used))); do
  ok pod "p$i" "$node"
  names+=("pod/p$i")
done
ok k wait --for=condition=Ready "${names[@]}" -n adm --timeout=90s

# podPidsLimit: the pod's cgroup allows 64 processes
uid=$(jp "pod p1 -n adm" '{.metadata.uid}')
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then pids=/sys/fs/cgroup; else pids=/sys/fs/cgroup/pids; fi
cgdir=$(find "$pids" -maxdepth 5 -type d -name "pod$uid" | head -1)
[ -n "$cgdir" ] || fail "no pod cgroup for p1 under $pids"
expect_eq "$(cat "$cgdir/pids.max")" 64 "the pod's pids.max"

# one more, bound directly: the kubelet turns it away
ok pod extra "$node"
wait_for 60 Failed jp "pod extra -n adm" '{.status.phase}'
ok k get pod extra -n adm -o jsonpath='{.status.reason}|{.status.message}|{.status.containerStatuses}|{.status.startTime}'
expect_eq "$LAST_OUT" "OutOfpods|Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3||"
ok k get pod extra -n adm
expect_match "$LAST_OUT" 'extra +0/1 +OutOfpods +0 '
wait_match 30 'OutOfpods' bash -c "kubectl get events -n adm --field-selector involvedObject.name=extra -o jsonpath='{.items[*].reason}'"
ok k get events -n adm --field-selector involvedObject.name=extra -o jsonpath='{.items[0].type} {.items[0].source.component} {.items[0].message}'
expect_eq "$LAST_OUT" "Warning kubelet Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3"
# it stays Failed: no sandbox was ever made for it
sleep 2
expect_eq "$(jp "pod extra -n adm" '{.status.phase}')" Failed

# the scheduler sees the full node too: a pod left to it stays Pending
ok pod waiting
wait_match 60 'Too many pods' jp "pod waiting -n adm" '{.status.conditions[?(@.type=="PodScheduled")].message}'

# a deleted pod makes room: the next pod bound to the node runs
ok k delete pod waiting -n adm --timeout=60s
ok k delete pod "${names[0]#pod/}" -n adm --timeout=60s
ok pod again "$node"
ok k wait --for=condition=Ready pod/again -n adm --timeout=90s

ok k delete namespace adm --timeout=90s
stop_server "$pid" TERM 20
expect_eq "$STOP_RC" 0 "the server stops cleanly"
