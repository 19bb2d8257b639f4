#!/usr/bin/env bash
# kubernetes.io "Assign Memory Resources", "Assign CPU Resources" and "Configure Quality of
# Service for Pods": limits reach the container's cgroup, requests beyond the node leave the
# pod Pending with FailedScheduling, QoS classes.
# (the docs use polinux/stress and vish/stress and read usage with `kubectl top`, which needs
# metrics-server; offline only `busybox` exists, so this reads the cgroup files instead;
# the OOM kill itself is covered by the shared 33-oom.sh)
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns res

f=$(manifest res.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: memory-demo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: memory-demo-ctr
    image: busybox
    resources:
      requests: {memory: "100Mi"}
      limits: {memory: "200Mi"}
    command: ["sh", "-c", "head -c 150m /dev/zero | tail; sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: cpu-demo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: cpu-demo-ctr
    image: busybox
    resources:
      limits: {cpu: "1"}
      requests: {cpu: "0.5"}
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: memory-demo-3}
spec:
  containers:
  - name: memory-demo-3-ctr
    image: busybox
    resources:
      requests: {memory: "1000Gi"}
      limits: {memory: "1000Gi"}
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: cpu-demo-2}
spec:
  containers:
  - name: cpu-demo-ctr-2
    image: busybox
    resources:
      limits: {cpu: "100"}
      requests: {cpu: "100"}
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: qos-demo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: qos-demo-ctr
    image: busybox
    command: ["sleep", "3600"]
    resources:
      limits: {memory: "200Mi", cpu: "700m"}
      requests: {memory: "200Mi", cpu: "700m"}
---
apiVersion: v1
kind: Pod
metadata: {name: qos-demo-2}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: qos-demo-2-ctr
    image: busybox
    command: ["sleep", "3600"]
    resources:
      limits: {memory: "200Mi"}
      requests: {memory: "100Mi"}
---
apiVersion: v1
kind: Pod
metadata: {name: qos-demo-3}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: qos-demo-3-ctr
    image: busybox
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: qos-demo-4}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: qos-demo-4-ctr-1
    image: busybox
    command: ["sleep", "3600"]
    resources:
      requests: {memory: "200Mi"}
  - name: qos-demo-4-ctr-2
    image: busybox
    command: ["sleep", "3600"]
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/memory-demo pod/cpu-demo pod/qos-demo pod/qos-demo-2 pod/qos-demo-3 pod/qos-demo-4 -n "$NS" --timeout=90s

ok k get pod memory-demo -n "$NS" --output=yaml
expect_match "$LAST_OUT" 'limits:
 +memory: 200Mi
 +requests:
 +memory: 100Mi'
# cgroup v1 or v2, as the container sees its own cgroup
cg() { k exec "$1" -n "$NS" -- sh -c "cat $2 2>/dev/null || cat $3"; }
run cg memory-demo /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max
expect_eq "$LAST_OUT" "209715200"
ok k get pod memory-demo -n "$NS" -o jsonpath='{.status.containerStatuses[0].restartCount}'
expect_eq "$LAST_OUT" "0" "150Mi within a 200Mi limit runs on"

run cg cpu-demo "/sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us" /sys/fs/cgroup/cpu.max
expect_match "$LAST_OUT" '^(100000'$'\n''100000|100000 100000)$'
run cg cpu-demo /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu.weight
expect_match "$LAST_OUT" '^(512|20)$' "cpu request 500m -> 512 shares (weight 20 on v2)"
run cg qos-demo-3 /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu.weight
expect_match "$LAST_OUT" '^(2|1)$' "no request -> minimum shares"

wait_match 60 'Insufficient memory' k describe pod memory-demo-3 -n "$NS"
ok k describe pod memory-demo-3 -n "$NS"
expect_match "$LAST_OUT" 'Warning +FailedScheduling .*0/[0-9]+ nodes are available: [0-9]+ Insufficient memory'
ok k get pod memory-demo-3 -n "$NS" -o jsonpath='{.status.phase}/{.status.conditions[?(@.type=="PodScheduled")].reason}'
expect_eq "$LAST_OUT" "Pending/Unschedulable"
wait_match 60 'Insufficient cpu' k describe pod cpu-demo-2 -n "$NS"

ok k get pods qos-demo qos-demo-2 qos-demo-3 qos-demo-4 -n "$NS" -o jsonpath='{range .items[*]}{.status.qosClass}{" "}{end}'
expect_eq "$LAST_OUT" "Guaranteed Burstable BestEffort Burstable "
ok k describe pod qos-demo -n "$NS"
expect_match "$LAST_OUT" 'QoS Class: +Guaranteed'
