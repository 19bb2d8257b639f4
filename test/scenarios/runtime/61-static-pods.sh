#!/usr/bin/env bash
# Static pods: the manifests of the kubelet's staticPodPath (here set by a KubeletConfiguration;
# by default DATA_DIR/manifests) run without the API server's say and show as mirror pods
# NAME-NODENAME (config.mirror/config.hash/config.source annotations, owned by the Node). A
# deleted mirror comes back while the pod runs on; an edited file replaces the pod; a removed
# file stops it; a broken file is reported and skipped. A server of its own (own data dir,
# kubelet port and pod network).
# needs: runtime
# timeout: 300
source "$(dirname "$0")/../lib.sh"

dir=$(mktemp -d)
defer rm -rf "$dir"
mkdir -p "$dir/manifests"
cat >"$dir/kubelet.yaml" <<'EOF'
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
staticPodPath: manifests
fileCheckFrequency: 5s
EOF
cat >"$dir/manifests/web.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: static-web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "echo static-v1; exec sleep 3600"]
EOF
echo 'this is not a pod: [' >"$dir/manifests/broken.yaml"

port=$(free_port)
start_server "$dir/d" "$port" --kubelet-port "$(free_port)" --cluster-cidr "10.$((150 + RANDOM % 50)).0.0/16" --kubelet-config "$dir/kubelet.yaml"
pid=$SERVER_PID
export KUBECONFIG="$dir/d/kubeconfig.yaml"
wait_for 90 1 nodes_ready
node=$(ready_node)
nodeuid=$(jp "node $node" '{.metadata.uid}')

# the manifest that was there at start runs, mirrored as web-NODE
wait_for 90 Running jp "pod web-$node -n default" '{.status.phase}'
ok k get pod "web-$node" -n default -o jsonpath='{.metadata.annotations.kubernetes\.io/config\.source} {.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].uid} {.spec.nodeName} {.metadata.labels.app}'
expect_eq "$LAST_OUT" "file Node $node $nodeuid $node static-web"
hash=$(jp "pod web-$node -n default" '{.metadata.annotations.kubernetes\.io/config\.hash}')
expect_match "$hash" '^[0-9a-f]{32}$' "config.hash"
expect_eq "$(jp "pod web-$node -n default" '{.metadata.annotations.kubernetes\.io/config\.mirror}')" "$hash" "config.mirror is the static pod's hash"
ok k get pods -A -l app=static-web
expect_match "$LAST_OUT" "default +web-$node +1/1 +Running +0"
wait_for 30 "static-v1" k logs "web-$node" -n default
ok k exec "web-$node" -n default -- hostname
expect_eq "$LAST_OUT" "web-$node"
grep -q "broken.yaml" "$dir/d.log" || fail "the broken manifest is not reported in the server's log"

# a manifest added while the kubelet runs is picked up
cat >"$dir/manifests/sys.json" <<'EOF'
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "helper", "namespace": "kube-system"},
 "spec": {"terminationGracePeriodSeconds": 1, "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}}
EOF
wait_for 60 Running jp "pod helper-$node -n kube-system" '{.status.phase}'

# deleting the mirror does not stop the pod: the mirror comes back
cid=$(jp "pod web-$node -n default" '{.status.containerStatuses[0].containerID}')
muid=$(jp "pod web-$node -n default" '{.metadata.uid}')
started=$(jp "pod web-$node -n default" '{.status.startTime}')
ok k delete pod "web-$node" -n default --timeout=60s
wait_match 60 '^[0-9a-f-]{36}$' jp "pod web-$node -n default" '{.metadata.uid}'
[ "$(jp "pod web-$node -n default" '{.metadata.uid}')" != "$muid" ] || fail "the mirror pod was not recreated"
wait_for 30 "$cid 0 Running $started" jp "pod web-$node -n default" '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount} {.status.phase} {.status.startTime}'

# mirror pods do not take ephemeral containers
refused k debug "web-$node" -n default --image=busybox -- true
expect_contains "$LAST_ERR" "static pods do not support ephemeral containers"

# an edited manifest is a new pod: it replaces the old one (new hash, new container)
sed -i 's/static-v1/static-v2/' "$dir/manifests/web.yaml"
wait_match 60 '^[0-9a-f]{32}$' bash -c "h=\$(kubectl get pod web-$node -n default -o jsonpath='{.metadata.annotations.kubernetes\.io/config\.mirror}'); [ \"\$h\" != $hash ] && echo \$h"
wait_for 60 "static-v2" k logs "web-$node" -n default
wait_for 30 Running jp "pod web-$node -n default" '{.status.phase}'

# removed manifests: the pods stop and their mirrors go
rm "$dir/manifests/web.yaml" "$dir/manifests/sys.json"
wait_for 60 "" jp "pods -A -l app=static-web" '{.items[*].metadata.name}'
wait_for 60 "" jp "pod helper-$node -n kube-system --ignore-not-found" '{.metadata.name}'
wait_for 60 "" bash -c "ctr --address $dir/d/containerd/containerd.sock -n k8s.io containers ls -q 2>/dev/null"

stop_server "$pid" TERM 20
expect_eq "$STOP_RC" 0 "the server stops cleanly"
