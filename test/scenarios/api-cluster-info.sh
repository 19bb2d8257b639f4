#!/usr/bin/env bash
# kubectl cluster-info and cluster-info dump (to stdout and to a directory), and the parts of
# the pod log API that answer without a node: empty logs for an unscheduled pod, container
# choice errors.
# needs: api
# timeout: 90
source "${SCENARIO_LIB:?}"
new_ns ci

ok k cluster-info
expect_match "$LAST_OUT" $'^\e\\[0;32mKubernetes control plane\e\\[0m is running at \e\\[0;33mhttps://[^\e]+\e\\[0m|^Kubernetes control plane is running at https://'
expect_contains "$LAST_OUT" "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."

ok k run solo --image=busybox -n "$NS"
ok k apply -n "$NS" -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  containers: [{name: a, image: busybox}, {name: b, image: busybox}]
YAML
ok k create deployment d --image=busybox --replicas=0 -n "$NS"
ok k create service clusterip s --tcp=80:80 -n "$NS"

ok k cluster-info dump --namespaces "$NS"
expect_contains "$LAST_OUT" '"kind": "NodeList"'
expect_contains "$LAST_OUT" '"kind": "EventList"'
expect_contains "$LAST_OUT" '"kind": "PodList"'
expect_contains "$LAST_OUT" '"kind": "ServiceList"'
expect_contains "$LAST_OUT" '"kind": "DeploymentList"'
expect_contains "$LAST_OUT" '"kind": "ReplicaSetList"'
expect_contains "$LAST_OUT" '"kind": "DaemonSetList"'
expect_contains "$LAST_OUT" '"kind": "ReplicationControllerList"'
expect_contains "$LAST_OUT" "==== START logs for container solo of pod $NS/solo ===="
expect_contains "$LAST_OUT" "==== END logs for container solo of pod $NS/solo ===="
dir=$(mktemp -d); defer rm -rf "$dir"
ok k cluster-info dump --namespaces "$NS" --output-directory "$dir"
expect_contains "$LAST_OUT" "Cluster info dumped to $dir"
for f in nodes.json "$NS/events.json" "$NS/pods.json" "$NS/services.json" "$NS/deployments.json" "$NS/replicasets.json" "$NS/daemonsets.json" "$NS/replication-controllers.json" "$NS/solo/logs.txt"; do
  [ -s "$dir/$f" ] || fail "cluster-info dump wrote no $f"
done
expect_contains "$(cat "$dir/$NS/services.json")" '"name": "s"'
ok k cluster-info dump --all-namespaces --output-directory "$dir/all"
[ -s "$dir/all/kube-system/pods.json" ] || fail "cluster-info dump --all-namespaces lacks kube-system"
[ -s "$dir/all/$NS/pods.json" ] || fail "cluster-info dump --all-namespaces lacks $NS"
ok k cluster-info dump -o yaml --namespaces "$NS"
expect_contains "$LAST_OUT" "kind: PodList"

# logs of a pod no node has taken: empty, not an error
ok k logs solo -n "$NS"
expect_eq "$LAST_OUT" ""
ok k get --raw "/api/v1/namespaces/$NS/pods/solo/log"
expect_eq "$LAST_OUT" ""
refused k get --raw "/api/v1/namespaces/$NS/pods/solo/log?container=nosuch"
expect_contains "$LAST_ERR" 'Error from server (BadRequest): container nosuch is not valid for pod solo'
refused k get --raw "/api/v1/namespaces/$NS/pods/duo/log"
expect_contains "$LAST_ERR" 'a container name must be specified for pod duo, choose one of: [a b]'
ok k logs duo -c b -n "$NS"
expect_eq "$LAST_OUT" ""
refused k logs nosuch -n "$NS"
expect_contains "$LAST_ERR" "error from server (NotFound): pods \"nosuch\" not found in namespace \"$NS\""
