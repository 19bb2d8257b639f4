#!/usr/bin/env bash
# Pod-level cgroups (the kubelet's pod container manager, cgroupfs driver): before its
# sandbox a pod gets <kubepods>[/burstable|/besteffort]/pod<uid> with the pod's limits —
# cpu.shares from the summed CPU requests, CFS quota/period only when every container has a
# CPU limit, the memory limit only when every container has one — and its containers nest
# below it; the directories go once the pod is deleted. And the kubelet's own admission: a
# pod bound straight to the node (spec.nodeName, no scheduler) that asks for more CPU than
# the node has is rejected (Failed, OutOfcpu) without ever running.
# The node is this host: the cgroup files are read from /sys/fs/cgroup (v1 or v2).
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns cg

if [ -f /sys/fs/cgroup/cgroup.controllers ]; then v2=1; base=/sys/fs/cgroup; else v2=0; base=/sys/fs/cgroup/memory; fi
[ -d "$base" ] || fail "no cgroup file system at $base"
# podcg UID: the pod's cgroup path below the hierarchy root ("" when there is none)
podcg() { local d; d=$(find "$base" -maxdepth 5 -type d -name "pod$1" 2>/dev/null | head -1); echo "${d#"$base"}"; }
# cgfile CONTROLLER PATH FILE: one cgroup file of a path (v1: in the controller's hierarchy)
cgfile() { if [ $v2 -eq 1 ]; then cat "$base$2/$3"; else cat "/sys/fs/cgroup/$1$2/$3"; fi; }
# anywhere UID: every directory of the pod's cgroup in any hierarchy
anywhere() { find /sys/fs/cgroup -maxdepth 6 -type d -name "pod$1" 2>/dev/null; }

f=$(manifest pods.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: guaranteed}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    resources:
      limits: {cpu: 250m, memory: 64Mi}
---
apiVersion: v1
kind: Pod
metadata: {name: burstable}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sleep", "3600"]
    resources:
      requests: {cpu: 100m}
      limits: {memory: 32Mi}
  - name: b
    image: busybox
    command: ["sleep", "3600"]
    resources:
      requests: {cpu: 50m}
      limits: {cpu: 500m, memory: 16Mi}
---
apiVersion: v1
kind: Pod
metadata: {name: besteffort}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/guaranteed pod/burstable pod/besteffort -n "$NS" --timeout=90s
ok k get pod guaranteed burstable besteffort -n "$NS" -o jsonpath='{.items[*].status.qosClass}'
expect_eq "$LAST_OUT" "Guaranteed Burstable BestEffort"
g=$(jp "pod guaranteed -n $NS" '{.metadata.uid}')
b=$(jp "pod burstable -n $NS" '{.metadata.uid}')
be=$(jp "pod besteffort -n $NS" '{.metadata.uid}')

# Guaranteed: directly below the node's pods' cgroup, with every limit
gp=$(podcg "$g")
expect_match "$gp" "^(/.+)/pod$g\$" "the Guaranteed pod's cgroup"
root=${gp%/pod"$g"}
expect_not_contains "$root" "burstable"
if [ $v2 -eq 1 ]; then
  expect_eq "$(cgfile memory "$gp" memory.max)" 67108864 "pod memory.max"
  expect_eq "$(cgfile cpu "$gp" cpu.max)" "25000 100000" "pod cpu.max"
  expect_eq "$(cgfile cpu "$gp" cpu.weight)" 10 "pod cpu.weight (256 shares)"
else
  expect_eq "$(cgfile memory "$gp" memory.limit_in_bytes)" 67108864 "pod memory.limit_in_bytes"
  expect_eq "$(cgfile cpu "$gp" cpu.cfs_quota_us)" 25000 "pod cpu.cfs_quota_us"
  expect_eq "$(cgfile cpu "$gp" cpu.cfs_period_us)" 100000 "pod cpu.cfs_period_us"
  expect_eq "$(cgfile cpu "$gp" cpu.shares)" 256 "pod cpu.shares"
fi
# the sandbox and the container nest inside the pod's cgroup
n=$(find "$base$gp" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$n" -ge 2 ] || fail "want the sandbox's and the container's cgroups below $gp, found $n"
if [ $v2 -eq 0 ]; then
  ok k exec guaranteed -n "$NS" -- cat /proc/self/cgroup
  expect_contains "$LAST_OUT" "pod$g"
fi

# Burstable: memory limited (both containers have a limit), CPU not (one has no CPU limit)
bp=$(podcg "$b")
expect_eq "$bp" "$root/burstable/pod$b" "the Burstable pod's cgroup"
if [ $v2 -eq 1 ]; then
  expect_eq "$(cgfile memory "$bp" memory.max)" $((48 * 1024 * 1024)) "burstable memory.max"
  expect_match "$(cgfile cpu "$bp" cpu.max)" '^max ' "burstable cpu.max"
  expect_eq "$(cgfile cpu "$bp" cpu.weight)" 6 "burstable cpu.weight (153 shares)"
else
  expect_eq "$(cgfile memory "$bp" memory.limit_in_bytes)" $((48 * 1024 * 1024)) "burstable memory.limit_in_bytes"
  expect_eq "$(cgfile cpu "$bp" cpu.cfs_quota_us)" -1 "burstable cpu.cfs_quota_us"
  expect_eq "$(cgfile cpu "$bp" cpu.shares)" 153 "burstable cpu.shares (150m)"
fi

# BestEffort: in its tier, the minimum CPU weight, no limits
bep=$(podcg "$be")
expect_eq "$bep" "$root/besteffort/pod$be" "the BestEffort pod's cgroup"
if [ $v2 -eq 1 ]; then
  expect_eq "$(cgfile cpu "$bep" cpu.weight)" 1 "besteffort pod cpu.weight"
  expect_eq "$(cgfile memory "$bep" memory.max)" max
  expect_eq "$(cgfile cpu "$root/besteffort" cpu.weight)" 1 "besteffort tier cpu.weight"
else
  expect_eq "$(cgfile cpu "$bep" cpu.shares)" 2 "besteffort pod cpu.shares"
  expect_eq "$(cgfile cpu "$root/besteffort" cpu.shares)" 2 "besteffort tier cpu.shares"
fi

# admission: bound to the node directly, more CPU than the node has → rejected, never run
node=$(jp "pod guaranteed -n $NS" '{.spec.nodeName}')
cap=$(jp "node $node" '{.status.allocatable.cpu}')
f=$(manifest toobig.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: toobig}
spec:
  nodeName: $node
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    resources:
      requests: {cpu: "1000"}
YAML
)
ok k apply -n "$NS" -f "$f"
wait_for 60 Failed jp "pod toobig -n $NS" '{.status.phase}'
ok k get pod toobig -n "$NS" -o jsonpath='{.status.reason}|{.status.message}|{.status.containerStatuses}|{.status.qosClass}'
expect_match "$LAST_OUT" "^OutOfcpu\|Pod was rejected: Node didn't have enough resource: cpu, requested: 1000000, used: [0-9]+, capacity: [0-9]+\|\|Burstable$"
case $cap in *m) capm=${cap%m} ;; *) capm=$((cap * 1000)) ;; esac
expect_contains "$LAST_OUT" "capacity: $capm|" "capacity is the node's allocatable CPU in millicores"
ok k get pod toobig -n "$NS"
expect_match "$LAST_OUT" 'toobig +0/1 +OutOfcpu +0 '
wait_match 30 'OutOfcpu' bash -c "kubectl get events -n $NS --field-selector involvedObject.name=toobig -o jsonpath='{.items[*].reason}'"
tb=$(jp "pod toobig -n $NS" '{.metadata.uid}')
expect_eq "$(anywhere "$tb")" "" "a rejected pod gets no cgroup"

# deleted pods leave no cgroup behind, in any hierarchy
ok k delete pod guaranteed burstable besteffort toobig -n "$NS" --timeout=60s
for u in "$g" "$b" "$be"; do wait_for 30 "" anywhere "$u"; done
