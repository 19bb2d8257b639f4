#!/usr/bin/env bash
# --kubelet-config FILE (a KubeletConfiguration, kubelet.config.k8s.io/v1beta1, YAML or
# JSON): decoded strictly (an unknown field or a wrong type stops the server, naming it);
# maxPods and the reservations and hard-eviction thresholds shape the node's capacity and
# allocatable; clusterDNS/clusterDomain reach pods' resolv.conf; safe sysctls and the
# allowedUnsafeSysctls pass through to the pod, any other is rejected by the kubelet
# (Failed, SysctlForbidden); static pods default to DATA_DIR/manifests. A server of its own.
# needs: runtime
# timeout: 240
source "$(dirname "$0")/../lib.sh"

dir=$(mktemp -d)
defer rm -rf "$dir"

# strict decoding: the server refuses to start, and says why
bad() { printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n%s\n' "$1" >"$dir/bad.yaml"; }
bad 'maxPodz: 20'
refused skiff server --data-dir "$dir/never" --kubelet-config "$dir/bad.yaml"
expect_contains "$LAST_ERR" 'strict decoding error: unknown field "maxPodz"'
[ -d "$dir/never" ] && fail "nothing may start with a broken kubelet config"
bad 'maxPods: "twenty"'
refused skiff server --data-dir "$dir/never" --kubelet-config "$dir/bad.yaml"
expect_contains "$LAST_ERR" 'cannot unmarshal string into Go struct field KubeletConfiguration.maxPods of type int32'
bad 'evictionHard: {memory.free: 100Mi}'
refused skiff server --data-dir "$dir/never" --kubelet-config "$dir/bad.yaml"
expect_contains "$LAST_ERR" 'unsupported eviction signal memory.free'
echo '{"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "authentication": {"anonymous": {"enable": true}}}' >"$dir/bad.json"
refused skiff server --data-dir "$dir/never" --kubelet-config "$dir/bad.json"
expect_contains "$LAST_ERR" 'unknown field "authentication.anonymous.enable"'
refused skiff server --data-dir "$dir/never" --kubelet-config "$dir/missing.yaml"
expect_contains "$LAST_ERR" "failed to load Kubelet config file $dir/missing.yaml"

cat >"$dir/kubelet.yaml" <<'EOF'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
maxPods: 17
clusterDNS: [10.96.0.10]
clusterDomain: skiff.test
systemReserved: {memory: 256Mi}
evictionHard: {memory.available: 100Mi, nodefs.available: 10%}
allowedUnsafeSysctls: ["kernel.msg*"]
serializeImagePulls: false
authentication: {anonymous: {enabled: false}, webhook: {enabled: true, cacheTTL: 2m}}
EOF
start_server "$dir/d" "$(free_port)" --kubelet-port "$(free_port)" --cluster-cidr "10.$((150 + RANDOM % 50)).0.0/16" --kubelet-config "$dir/kubelet.yaml"
pid=$SERVER_PID
export KUBECONFIG="$dir/d/kubeconfig.yaml"
wait_for 90 1 nodes_ready
node=$(ready_node)
[ -d "$dir/d/manifests" ] || fail "static pods default to DATA_DIR/manifests"

# maxPods → capacity and allocatable pods; memory less systemReserved and memory.available
ok k get node "$node" -o jsonpath='{.status.capacity.pods} {.status.allocatable.pods}'
expect_eq "$LAST_OUT" "17 17"
cap=$(jp "node $node" '{.status.capacity.memory}')
alloc=$(jp "node $node" '{.status.allocatable.memory}')
expect_match "$cap" '^[0-9]+Ki$' "capacity memory"
expect_eq "$alloc" "$(( ${cap%Ki} - 364544 ))Ki" "allocatable memory = capacity - 256Mi - 100Mi"

k create namespace cfg >/dev/null
f=$(manifest sysctls.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: safe, namespace: cfg}
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    sysctls:
    - {name: net.ipv4.ip_local_port_range, value: "20000 30000"}
    - {name: kernel.shm_rmid_forced, value: "1"}
    - {name: kernel.msgmax, value: "12345"}
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "cat /proc/sys/net/ipv4/ip_local_port_range /proc/sys/kernel/shm_rmid_forced /proc/sys/kernel/msgmax /etc/resolv.conf; sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata: {name: unsafe, namespace: cfg}
spec:
  securityContext:
    sysctls: [{name: net.core.somaxconn, value: "1024"}]
  containers: [{name: c, image: busybox, command: ["sleep", "3600"]}]
YAML
)
ok k apply -f "$f"
ok k wait --for=condition=Ready pod/safe -n cfg --timeout=90s
ok k logs safe -n cfg
expect_match "$LAST_OUT" $'^20000\t30000\n1\n12345\n' "sysctls set in the pod"
expect_contains "$LAST_OUT" "nameserver 10.96.0.10"
expect_contains "$LAST_OUT" "search cfg.svc.skiff.test svc.skiff.test skiff.test"

wait_for 60 Failed jp "pod unsafe -n cfg" '{.status.phase}'
ok k get pod unsafe -n cfg -o jsonpath='{.status.reason}|{.status.message}|{.status.containerStatuses}'
expect_eq "$LAST_OUT" 'SysctlForbidden|Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted|'
ok k get pod unsafe -n cfg
expect_match "$LAST_OUT" 'unsafe +0/1 +SysctlForbidden +0 '
wait_match 30 'SysctlForbidden' bash -c "kubectl get events -n cfg --field-selector involvedObject.name=unsafe -o jsonpath='{.items[*].reason}'"

ok k delete namespace cfg --timeout=90s
stop_server "$pid" TERM 20
expect_eq "$STOP_RC" 0 "the server stops cleanly"
