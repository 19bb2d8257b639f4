#!/usr/bin/env bash
# kubernetes.io "Pull an Image from a Private Registry": a registry behind Basic auth (skiff's
# test registry, plain HTTP on loopback, serving the offline busybox image), reached through
# a hosts.toml in the node's containerd certs.d (an image stamped for this run, so nothing
# of it is on the node yet). Without credentials the pull fails with the
# registry's 401; `kubectl create secret docker-registry` + imagePullSecrets pulls it; a
# missing secret is reported (FailedToRetrieveImagePullSecret) and the pull goes on; the
# default ServiceAccount's imagePullSecrets reach pods that name none (admission).
# The node is the one in $KUBECONFIG, whose data dir holds the kubeconfig (as CI's and
# `skiff server`'s); each pod pulls a fresh tag, so no image is already on the node.
# needs: runtime
# timeout: 180
source "$(dirname "$0")/../lib.sh"

data=$(cd "$(dirname "${KUBECONFIG:?}")" && pwd)
[ -f "$data/containerd/config.toml" ] || fail "no skiff node data dir beside \$KUBECONFIG ($data)"
grep -q 'config_path = ' "$data/containerd/config.toml" || fail "containerd has no registry config_path"
new_ns regauth

# the registry: its own process on loopback (a PID of ours, stopped on exit)
port=${REGISTRY_PORT:-$(free_port)}
run_id=$RANDOM$RANDOM
repo="skiff-test/busybox-$run_id"
log="$_scratch/registry.log"
node "$(dirname "$SKIFF_MAIN")/../kubelet/runtime/testregistry.js" --port "$port" --user alice --password 's3cr3t!' \
  --repo "$repo" --tag anon,secret,account --stamp "$run_id" >"$log" 2>&1 &
reg_pid=$!
defer kill "$reg_pid"
wait_log "$log" "^listening $port$" 30
hosts="$data/containerd/certs.d/127.0.0.1:$port"
mkdir -p "$hosts"
defer rm -rf "$hosts"
cat >"$hosts/hosts.toml" <<EOF
server = "http://127.0.0.1:$port"

[host."http://127.0.0.1:$port"]
  capabilities = ["pull", "resolve"]
EOF
img="127.0.0.1:$port/$repo"

pod() { # pod NAME TAG [PULL-SECRETS-YAML]
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  terminationGracePeriodSeconds: 1
  ${3:-}
  containers:
  - {name: c, image: "$img:$2", command: ["sleep", "3600"]}
YAML
}

# (a) no credentials: the registry's 401, ErrImagePull then ImagePullBackOff
ok k apply -n "$NS" -f "$(pod anon anon | manifest anon.yaml)"
wait_match 60 'ErrImagePull|ImagePullBackOff' jp "pod anon -n $NS" '{.status.containerStatuses[0].state.waiting.reason}'
wait_match 30 '401 Unauthorized' jp "pod anon -n $NS" '{.status.containerStatuses[0].state.waiting.message}'
ok k get events -n "$NS" --field-selector involvedObject.name=anon,reason=Failed -o jsonpath='{range .items[*]}{.message}{"\n"}{end}'
expect_match "$LAST_OUT" "Failed to pull image \"$img:anon\": .*failed to resolve reference \"$img:anon\": .*401 Unauthorized"
grep -q "^HEAD /v2/$repo/manifests/anon 401$" "$log" || fail "the pull did not reach the registry: $(tail -n 5 "$log")"

# (b) a docker-registry secret (plus a missing one, reported, and a wrong one, tried first)
ok k create secret docker-registry regcred -n "$NS" --docker-server="127.0.0.1:$port" --docker-username=alice --docker-password='s3cr3t!'
ok k create secret docker-registry aaa-wrong -n "$NS" --docker-server="127.0.0.1:$port" --docker-username=alice --docker-password=nope
ok k apply -n "$NS" -f "$(pod secret secret 'imagePullSecrets: [{name: missing}, {name: aaa-wrong}, {name: regcred}]' | manifest secret.yaml)"
wait_for 60 Running jp "pod secret -n $NS" '{.status.phase}'
ok k get events -n "$NS" --field-selector involvedObject.name=secret -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}'
expect_contains "$LAST_OUT" 'FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets (missing); attempting to pull the image may not succeed.'
expect_match "$LAST_OUT" "Pulled: Successfully pulled image \"$img:secret\" in "
grep -q "^GET /v2/$repo/manifests/sha256:[0-9a-f]* 200$" "$log" || fail "no authorized manifest fetch: $(tail -n 5 "$log")"
grep -q "^GET /v2/$repo/blobs/sha256:[0-9a-f]* 200$" "$log" || fail "no layer fetched: $(tail -n 5 "$log")"
# the container runs the image the registry served (busybox plus its stamp layer)
ok k exec -n "$NS" secret -- cat /etc/registry-stamp
expect_eq "$LAST_OUT" "$run_id"

# (c) the default ServiceAccount's imagePullSecrets, copied into a pod that names none
wait_for 30 default jp "serviceaccount default -n $NS" '{.metadata.name}'
ok k patch serviceaccount default -n "$NS" -p '{"imagePullSecrets":[{"name":"regcred"}]}'
ok k apply -n "$NS" -f "$(pod account account | manifest account.yaml)"
ok k get pod account -n "$NS" -o jsonpath='{.spec.imagePullSecrets[*].name}'
expect_eq "$LAST_OUT" regcred
wait_for 60 Running jp "pod account -n $NS" '{.status.phase}'

ok k delete pods --all -n "$NS" --wait=true --timeout=60s
