#!/usr/bin/env bash
# kubectl replace (plain, --force, stale resourceVersion) and kubectl patch with all three
# types: strategic merge (merge keys, $patch: delete/replace, $retainKeys,
# $deleteFromPrimitiveList, $setElementOrder), JSON merge (null deletes, lists replace) and
# JSON patch (add/remove/replace/move/copy/test), plus --subresource and error texts.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns rp

# --- replace -----------------------------------------------------------------------------
ok k create configmap r1 --from-literal=a=1 -n "$NS"
uid1=$(jp "cm r1 -n $NS" '{.metadata.uid}')
k get cm r1 -n "$NS" -o yaml | sed 's/a: "1"/a: "2"/' >"${TMPDIR:-/tmp}/r1-$NS.yaml"
defer rm -f "${TMPDIR:-/tmp}/r1-$NS.yaml"
ok k replace -f "${TMPDIR:-/tmp}/r1-$NS.yaml"
expect_eq "$LAST_OUT" "configmap/r1 replaced"
ok k get cm r1 -n "$NS" -o jsonpath='{.data.a} {.metadata.uid}'
expect_eq "$LAST_OUT" "2 $uid1" "replace keeps the object (same uid)"
# the saved copy now carries a stale resourceVersion
refused k replace -f "${TMPDIR:-/tmp}/r1-$NS.yaml"
expect_contains "$LAST_ERR" 'Error from server (Conflict): error when replacing'
expect_contains "$LAST_ERR" 'Operation cannot be fulfilled on configmaps "r1": the object has been modified; please apply your changes to the latest version and try again'
# without a resourceVersion the update is unconditional
f=$(manifest r1.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: r1}
data: {a: "3"}
YAML
)
ok k replace -f "$f" -n "$NS"
ok k get cm r1 -n "$NS" -o jsonpath='{.data.a}'
expect_eq "$LAST_OUT" "3"
# --force deletes and re-creates: a new uid
ok k replace --force -f "$f" -n "$NS"
expect_eq "$LAST_OUT" $'configmap "r1" deleted\nconfigmap/r1 replaced'
uid2=$(jp "cm r1 -n $NS" '{.metadata.uid}')
[ -n "$uid2" ] && [ "$uid2" != "$uid1" ] || fail "replace --force should create a new object (uid $uid1 -> $uid2)"
refused k replace -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nosuch}\n') -n "$NS"
expect_contains "$LAST_ERR" 'Error from server (NotFound): error when replacing "/dev/fd/'
expect_contains "$LAST_ERR" 'configmaps "nosuch" not found'
# changing immutable metadata is refused
ok k get cm r1 -n "$NS" -o json
sed "s/\"uid\": \"$uid2\"/\"uid\": \"00000000-0000-0000-0000-000000000001\"/" <<<"$LAST_OUT" >"${TMPDIR:-/tmp}/r1u-$NS.json"
defer rm -f "${TMPDIR:-/tmp}/r1u-$NS.json"
refused k replace -f "${TMPDIR:-/tmp}/r1u-$NS.json"
expect_match "$LAST_ERR" 'Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000001, UID in object meta: |metadata.uid: Invalid value'

# --- strategic merge patch ---------------------------------------------------------------
f=$(manifest d.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: main
        image: busybox
        args: ["sleep", "3600"]
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        ports: [{containerPort: 80, name: http}, {containerPort: 443, name: https}]
      - name: side
        image: busybox
      volumes: [{name: v1, emptyDir: {}}, {name: v2, emptyDir: {}}]
      tolerations: [{key: a, operator: Exists}]
YAML
)
ok k create -f "$f" -n "$NS"
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"containers":[{"name":"main","env":[{"name":"B","value":"two"},{"name":"C","value":"3"}]}]}}}}'
expect_eq "$LAST_OUT" "deployment.apps/web patched"
ok k get deploy web -n "$NS" -o jsonpath='{range .spec.template.spec.containers[0].env[*]}{.name}={.value} {end}|{.spec.template.spec.containers[1].name}'
expect_eq "$LAST_OUT" "A=1 B=two C=3 |side" "env merged by name, other containers kept"
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[*].name}'
expect_eq "$LAST_OUT" "main" '$patch: delete removes one list element'
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"containers":[{"name":"main","ports":[{"containerPort":443,"$patch":"delete"}]}]}}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].ports[*].containerPort}'
expect_eq "$LAST_OUT" "80" "ports merge on containerPort"
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"volumes":[{"name":"v3","emptyDir":{}}]}}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.volumes[*].name}'
expect_eq "$LAST_OUT" "v3 v1 v2" "a new list element merged by name goes first"
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"$setElementOrder/volumes":[{"name":"v1"},{"name":"v2"},{"name":"v3"}]}}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.volumes[*].name}'
expect_eq "$LAST_OUT" "v1 v2 v3" '$setElementOrder reorders'
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.tolerations[*].key}'
expect_eq "$LAST_OUT" "b" "a list without a merge key is replaced"
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"containers":[{"name":"main","args":["echo"]}]}}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].args}'
expect_eq "$LAST_OUT" '["echo"]' "a list of scalars without a strategy is replaced"
# $patch: replace as a list element replaces the whole list with the other elements
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"volumes":[{"name":"v9","hostPath":{"path":"/tmp"}},{"$patch":"replace"}]}}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.volumes[*].name} {.spec.template.spec.volumes[0].hostPath.path}'
expect_eq "$LAST_OUT" "v9 /tmp" '$patch: replace in a list replaces the list'
# and inside a map replaces the map
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"nodeSelector":{"a":"1","b":"2"}}}}}'
ok k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"nodeSelector":{"$patch":"replace","c":"3"}}}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.nodeSelector}'
expect_eq "$LAST_OUT" '{"c":"3"}' '$patch: replace in a map replaces the map'
ok k patch deploy web -n "$NS" -p '{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.strategy}'
expect_eq "$LAST_OUT" '{"type":"Recreate"}' '$retainKeys drops rollingUpdate'
ok k patch deploy web -n "$NS" -p '{"metadata":{"finalizers":["example.com/a","example.com/b"]}}'
ok k patch deploy web -n "$NS" -p '{"metadata":{"finalizers":["example.com/c"]}}'
ok k get deploy web -n "$NS" -o jsonpath='{.metadata.finalizers}'
# upstream orders the patch's new items first, then the server's (normalizeElementOrder)
expect_eq "$LAST_OUT" '["example.com/c","example.com/a","example.com/b"]' "finalizers merge (patchStrategy merge on a primitive list)"
ok k patch deploy web -n "$NS" -p '{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/b"]}}'
ok k get deploy web -n "$NS" -o jsonpath='{.metadata.finalizers}'
expect_eq "$LAST_OUT" '["example.com/c","example.com/a"]' '$deleteFromPrimitiveList'
ok k patch deploy web -n "$NS" -p '{"metadata":{"labels":{"app":null,"x":"y"}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.metadata.labels}'
expect_eq "$LAST_OUT" '{"x":"y"}' "null deletes a map key"
ok k patch deploy web -n "$NS" -p '{"metadata":{"labels":{"x":"y"}}}'
expect_eq "$LAST_OUT" "deployment.apps/web patched (no change)"
refused k patch deploy web -n "$NS" -p '{"spec":{"template":{"spec":{"containers":[{"image":"busybox"}]}}}}'
expect_contains "$LAST_ERR" 'does not contain declared merge key: name'

# --- JSON merge patch --------------------------------------------------------------------
ok k patch deploy web -n "$NS" --type=merge -p '{"metadata":{"finalizers":["example.com/z"]}}'
ok k get deploy web -n "$NS" -o jsonpath='{.metadata.finalizers}'
expect_eq "$LAST_OUT" '["example.com/z"]' "merge patch replaces lists"
ok k patch deploy web -n "$NS" --type=merge -p '{"metadata":{"finalizers":null}}'
ok k get deploy web -n "$NS" -o jsonpath='{.metadata.finalizers}'
expect_eq "$LAST_OUT" ""
ok k patch deploy web -n "$NS" --type=merge -p '{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox"}]}}}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[*].name} {.spec.template.spec.containers[0].imagePullPolicy}'
expect_eq "$LAST_OUT" "only Always" "the replaced list is defaulted again"

# --- JSON patch --------------------------------------------------------------------------
ok k create configmap j -n "$NS" --from-literal=a=1
ok k patch cm j -n "$NS" --type=json -p '[{"op":"add","path":"/data/b","value":"2"},{"op":"copy","from":"/data/a","path":"/data/c"},{"op":"move","from":"/data/b","path":"/data/d"},{"op":"replace","path":"/data/a","value":"one"},{"op":"test","path":"/data/c","value":"1"}]'
ok k get cm j -n "$NS" -o jsonpath='{.data}'
expect_eq "$LAST_OUT" '{"a":"one","c":"1","d":"2"}'
ok k patch cm j -n "$NS" --type=json -p '[{"op":"add","path":"/metadata/labels","value":{"k/x":"v"}},{"op":"remove","path":"/data/c"}]'
ok k get cm j -n "$NS" -o jsonpath='{.metadata.labels.k/x} {.data.c}'
expect_eq "$LAST_OUT" "v " "escaped keys and remove"
ok k patch cm j -n "$NS" --type=json -p '[{"op":"add","path":"/metadata/labels/a~1b","value":"slash"}]'
ok k get cm j -n "$NS" -o jsonpath='{.metadata.labels.a/b}'
expect_eq "$LAST_OUT" "slash" "~1 escapes a slash in a JSON pointer"
# an operation that does not apply is a 422 whose message hides the cause, as upstream's
refused k patch cm j -n "$NS" --type=json -p '[{"op":"test","path":"/data/a","value":"nope"}]'
expect_eq "$LAST_ERR" 'The request is invalid: the server rejected our request due to an error in our request'
refused k patch cm j -n "$NS" --type=json -p '[{"op":"remove","path":"/data/missing"}]'
expect_eq "$LAST_ERR" 'The request is invalid: the server rejected our request due to an error in our request'
refused k patch cm j -n "$NS" --type=json -p '[{"op":"replace","path":"/metadata/name","value":"other"}]'
expect_contains "$LAST_ERR" 'Error from server'
ok k get cm j -n "$NS" -o name
refused k patch cm nosuch -n "$NS" -p '{"data":{"a":"b"}}'
expect_contains "$LAST_ERR" 'Error from server (NotFound): configmaps "nosuch" not found'
# a JSON patch must be a list of operations
refused k patch cm j -n "$NS" --type=json -p '{"not":"a list"}'
expect_contains "$LAST_ERR" 'Error from server'

# --- subresources ------------------------------------------------------------------------
ok k patch deploy web -n "$NS" --subresource=scale --type=merge -p '{"spec":{"replicas":3}}'
expect_eq "$LAST_OUT" "scale.autoscaling/web patched" "the answer is the Scale object"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.replicas}'
expect_eq "$LAST_OUT" "3"
ok k patch deploy web -n "$NS" --subresource=status --type=merge -p '{"status":{"observedGeneration":99}}' -o jsonpath='{.status.observedGeneration}'
expect_eq "$LAST_OUT" "99" "status subresource accepts status changes"
g=$(jp "deploy web -n $NS" '{.metadata.generation}')
ok k patch deploy web -n "$NS" --subresource=status --type=merge -p '{"spec":{"replicas":7}}'
ok k get deploy web -n "$NS" -o jsonpath='{.spec.replicas} {.metadata.generation}'
expect_eq "$LAST_OUT" "3 $g" "the status subresource ignores spec changes"
ok k patch deploy web -n "$NS" --type=merge -p '{"status":{"observedGeneration":1234}}'
ok k get deploy web -n "$NS" -o jsonpath='{.status.observedGeneration}'
[ "$LAST_OUT" != "1234" ] || fail "the main resource must ignore status changes"
