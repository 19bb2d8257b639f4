#!/usr/bin/env bash
# kubectl delete: by name, -l, --all, -f, --ignore-not-found, dry runs, --grace-period/--force/
# --now on pods, finalizers, and --cascade=background|orphan|foreground as the API records it
# (finalizers orphan/foregroundDeletion, ownerReferences) and the garbage collector acts on it.
# needs: api
# timeout: 90
source "${SCENARIO_LIB:?}"
new_ns del

for n in a b c d; do ok k create configmap "$n" --from-literal=k=v -n "$NS"; done
ok k label cm c d grp=x -n "$NS"
ok k delete cm a -n "$NS"
expect_eq "$LAST_OUT" 'configmap "a" deleted'
refused k delete cm a -n "$NS"
expect_contains "$LAST_ERR" 'Error from server (NotFound): configmaps "a" not found'
ok k delete cm a -n "$NS" --ignore-not-found
expect_eq "$LAST_OUT" ""
ok k delete cm b -n "$NS" --dry-run=server
expect_eq "$LAST_OUT" 'configmap "b" deleted (server dry run)'
ok k get cm b -n "$NS"
ok k delete cm b -n "$NS" --dry-run=client
expect_eq "$LAST_OUT" 'configmap "b" deleted (dry run)'
ok k delete cm -l grp=x -n "$NS"
expect_eq "$LAST_OUT" $'configmap "c" deleted\nconfigmap "d" deleted'
# a precondition on the uid/resourceVersion is honoured by the API
uid=$(jp "cm b -n $NS" '{.metadata.uid}')
refused k delete --raw "/api/v1/namespaces/$NS/configmaps/b" -f <(printf '{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}')
expect_contains "$LAST_ERR" "Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: $uid"
ok k get cm b -n "$NS"

# by file (several documents) and --all
f=$(manifest multi.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: f1}
---
apiVersion: v1
kind: Secret
metadata: {name: f2}
stringData: {a: b}
YAML
)
ok k apply -f "$f" -n "$NS"
ok k delete -f "$f" -n "$NS"
expect_eq "$LAST_OUT" $'configmap "f1" deleted\nsecret "f2" deleted'
ok k delete cm --all -n "$NS"
expect_contains "$LAST_OUT" 'configmap "b" deleted'
expect_contains "$LAST_OUT" 'configmap "kube-root-ca.crt" deleted'
# the root CA publisher puts kube-root-ca.crt back
wait_for 30 "kube-root-ca.crt" jp "cm kube-root-ca.crt -n $NS" '{.metadata.name}'

# pods: an unscheduled pod goes at once, whatever its grace period
ok k run p1 --image=busybox -n "$NS"
ok k delete pod p1 -n "$NS" --wait=false
expect_eq "$LAST_OUT" 'pod "p1" deleted'
refused k get pod p1 -n "$NS"
# a pod bound to a node waits out its grace period (no kubelet here confirms it)
f=$(manifest bound.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bound}
spec:
  nodeName: no-such-node-for-delete-test
  terminationGracePeriodSeconds: 30
  containers: [{name: c, image: busybox}]
YAML
)
ok k create -f "$f" -n "$NS"
ok k delete pod bound -n "$NS" --wait=false
ok k get pod bound -n "$NS" -o jsonpath='{.metadata.deletionGracePeriodSeconds} {.metadata.deletionTimestamp}'
expect_match "$LAST_OUT" '^30 [0-9]{4}-[0-9]{2}-[0-9]{2}T' "graceful deletion is recorded, the pod stays"
ok k get pod bound -n "$NS" --no-headers
expect_match "$LAST_OUT" '^bound +0/1 +Terminating +0 +'
ok k delete pod bound -n "$NS" --grace-period=10 --wait=false
ok k get pod bound -n "$NS" -o jsonpath='{.metadata.deletionGracePeriodSeconds}'
expect_eq "$LAST_OUT" "10" "a shorter grace period shortens the pending deletion"
ok k delete pod bound -n "$NS" --force --grace-period=0
expect_contains "$LAST_ERR" "Immediate deletion does not wait for confirmation that the running resource has been terminated"
expect_eq "$LAST_OUT" 'pod "bound" force deleted'
refused k get pod bound -n "$NS"
ok k run p2 --image=busybox -n "$NS"
ok k delete pod p2 -n "$NS" --now
refused k get pod p2 -n "$NS"

# finalizers hold an object; nothing new may be added while it is being deleted
f=$(manifest fin.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: held
  finalizers: [example.com/hold]
YAML
)
ok k apply -f "$f" -n "$NS"
ok k delete cm held -n "$NS" --wait=false
ok k get cm held -n "$NS" -o jsonpath='{.metadata.finalizers} {.metadata.deletionTimestamp}'
expect_match "$LAST_OUT" '^\["example.com/hold"\] [0-9]{4}-'
refused k patch cm held -n "$NS" --type=json -p '[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/more"}]'
expect_contains "$LAST_ERR" 'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted'
ok k patch cm held -n "$NS" --type=merge -p '{"data":{"still":"writable"}}'
ok k patch cm held -n "$NS" --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
wait_for 15 "" jp "cm held -n $NS" '{.metadata.name}'

# the immortal namespaces cannot be deleted (checked with a server dry run)
for ns in default kube-system kube-public; do
  refused k delete namespace "$ns" --dry-run=server
  expect_contains "$LAST_ERR" "Error from server (Forbidden): namespaces \"$ns\" is forbidden: this namespace may not be deleted"
done

# ownerReferences and the garbage collector: background (default), orphan, foreground
mkchild() { # mkchild NAME PARENT_NAME PARENT_UID [FINALIZER]
  local fin=""; [ -n "${4:-}" ] && fin="finalizers: [$4]"
  k apply -n "$NS" -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: $1
  $fin
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: $2, uid: $3, blockOwnerDeletion: true}
YAML
}
ok k create configmap bg-parent -n "$NS"
mkchild bg-child bg-parent "$(jp "cm bg-parent -n $NS" '{.metadata.uid}')" || fail "could not create bg-child"
ok k delete cm bg-parent -n "$NS"
wait_for 30 "" jp "cm bg-child -n $NS" '{.metadata.name}'

ok k create configmap or-parent -n "$NS"
mkchild or-child or-parent "$(jp "cm or-parent -n $NS" '{.metadata.uid}')" || fail "could not create or-child"
ok k patch cm or-parent -n "$NS" --type=merge -p '{"metadata":{"finalizers":["example.com/hold"]}}'
ok k delete cm or-parent -n "$NS" --cascade=orphan --wait=false
ok k get cm or-parent -n "$NS" -o jsonpath='{.metadata.finalizers}'
# the orphan finalizer is added; a running collector may already have taken it off again
expect_match "$LAST_OUT" '"orphan"|^\["example.com/hold"\]$' "--cascade=orphan adds the orphan finalizer"
wait_for 30 "" jp "cm or-child -n $NS" '{.metadata.ownerReferences}'
wait_for 30 '["example.com/hold"]' jp "cm or-parent -n $NS" '{.metadata.finalizers}'
ok k get cm or-child -n "$NS" -o name
ok k patch cm or-parent -n "$NS" --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'

ok k create configmap fg-parent -n "$NS"
mkchild fg-child fg-parent "$(jp "cm fg-parent -n $NS" '{.metadata.uid}')" example.com/hold || fail "could not create fg-child"
ok k delete cm fg-parent -n "$NS" --cascade=foreground --wait=false
ok k get cm fg-parent -n "$NS" -o jsonpath='{.metadata.finalizers} {.metadata.deletionTimestamp}'
expect_match "$LAST_OUT" '^\["foregroundDeletion"\] [0-9]{4}-' "--cascade=foreground adds the foregroundDeletion finalizer"
# the collector deletes the dependent first; its own finalizer keeps it (and so the owner) around
wait_match 30 '^[0-9]{4}-' jp "cm fg-child -n $NS" '{.metadata.deletionTimestamp}'
ok k get cm fg-parent -n "$NS" -o name
ok k patch cm fg-child -n "$NS" --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
wait_for 30 "" jp "cm fg-parent -n $NS" '{.metadata.name}'

# a deployment deleted with --cascade=orphan leaves its replica set, without an owner
ok k create deployment web --image=busybox -n "$NS"
wait_match 30 '^web-' jp "rs -n $NS -l app=web" '{.items[0].metadata.name}'
rs=$(jp "rs -n $NS -l app=web" '{.items[0].metadata.name}')
ok k delete deployment web -n "$NS" --cascade=orphan
expect_eq "$LAST_OUT" 'deployment.apps "web" deleted'
wait_for 30 "" jp "rs $rs -n $NS" '{.metadata.ownerReferences}'
ok k get rs "$rs" -n "$NS" -o name
# and the default cascade takes replica set and pods with it
ok k create deployment web2 --image=busybox --replicas=2 -n "$NS"
wait_match 30 '^web2-' jp "rs -n $NS -l app=web2" '{.items[0].metadata.name}'
ok k delete deployment web2 -n "$NS"
wait_for 30 "" jp "rs -n $NS -l app=web2" '{.items[*].metadata.name}'
wait_for 30 "" jp "pods -n $NS -l app=web2" '{.items[*].metadata.name}'
