#!/usr/bin/env bash
# kubectl apply beyond the basics: the last-applied annotation (view/set/edit-last-applied,
# create --save-config, the missing-annotation warning), --prune, dry runs, and server-side
# apply: managedFields, conflicts with Apply and Update managers, co-ownership,
# --force-conflicts, field removal and list-map merging.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns apx

f=$(manifest cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: demo}
data:
  color: blue
YAML
)
ok k apply -f "$f" -n "$NS" --dry-run=server
expect_eq "$LAST_OUT" "configmap/settings created (server dry run)"
refused k get cm settings -n "$NS"
ok k apply -f "$f" -n "$NS"
ok k get cm settings -n "$NS" -o jsonpath='{.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}'
expect_eq "$LAST_OUT" "{\"apiVersion\":\"v1\",\"data\":{\"color\":\"blue\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"demo\"},\"name\":\"settings\",\"namespace\":\"$NS\"}}"
ok k get cm settings -n "$NS" -o jsonpath='{.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}'
expect_eq "$LAST_OUT" "kubectl-client-side-apply Update"
ok k apply view-last-applied cm/settings -n "$NS"
expect_eq "$LAST_OUT" "apiVersion: v1
data:
  color: blue
kind: ConfigMap
metadata:
  annotations: {}
  labels:
    app: demo
  name: settings
  namespace: $NS"
ok k apply view-last-applied configmap settings -n "$NS" -o json
expect_contains "$LAST_OUT" '"color": "blue"'
ok env KUBE_EDITOR="sed -i s/color:\ blue/color:\ purple/" kubectl apply edit-last-applied cm/settings -n "$NS"
expect_eq "$LAST_OUT" "configmap/settings edited"
ok k apply view-last-applied cm/settings -n "$NS" -o json
expect_contains "$LAST_OUT" '"color": "purple"'
ok k get cm settings -n "$NS" -o jsonpath='{.data.color}'
expect_eq "$LAST_OUT" "blue" "edit-last-applied changes only the annotation"
ok k apply set-last-applied -f "$f" -n "$NS"
expect_eq "$LAST_OUT" "configmap/settings configured"
ok k apply view-last-applied cm/settings -n "$NS" -o json
expect_contains "$LAST_OUT" '"color": "blue"'

# an object made by create has no annotation: set-last-applied needs --create-annotation,
# and apply adds it with a warning
ok k create configmap plain --from-literal=a=1 -n "$NS"
refused k apply set-last-applied -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: "1"}\n') -n "$NS"
expect_contains "$LAST_ERR" "no last-applied-configuration annotation found on resource: plain"
ok k apply view-last-applied cm/plain -n "$NS"
expect_eq "$LAST_OUT" ""
ok k apply -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: "2"}\n') -n "$NS"
expect_eq "$LAST_OUT" "configmap/plain configured"
expect_contains "$LAST_ERR" "Warning: resource configmaps/plain is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply"
ok k create configmap saved --from-literal=a=1 --save-config -n "$NS"
ok k apply view-last-applied cm/saved -n "$NS" -o json
expect_contains "$LAST_OUT" '"name": "saved"'

# --prune removes what the labelled set no longer contains
d=$(mktemp -d); defer rm -rf "$d"
for n in p1 p2; do printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, labels: {set: prune}}\n' "$n" >"$d/$n.yaml"; done
ok k apply -f "$d" -n "$NS" -l set=prune
rm "$d/p2.yaml"
ok k apply -f "$d" -n "$NS" -l set=prune --prune --prune-allowlist=core/v1/ConfigMap
expect_contains "$LAST_OUT" "configmap/p1 unchanged"
expect_contains "$LAST_OUT" "configmap/p2 pruned"
refused k get cm p2 -n "$NS"
ok k get cm settings -n "$NS" -o name

# --- server-side apply -------------------------------------------------------------------
ssa() { # ssa MANAGER [extra args] < manifest
  local m=$1; shift
  run k apply --server-side --field-manager="$m" -n "$NS" -f - "$@"
}
ssa alice <<'YAML' || fail "first server-side apply failed: $LAST_ERR"
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa}
data: {color: blue, size: S}
YAML
expect_eq "$LAST_OUT" "configmap/ssa serverside-applied"
ok k get cm ssa -n "$NS" -o jsonpath='{.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation} {.metadata.managedFields[0].fieldsType} {.metadata.managedFields[0].fieldsV1}'
expect_eq "$LAST_OUT" 'alice Apply FieldsV1 {"f:data":{"f:color":{},"f:size":{}}}'
ssa bob <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa}
data: {color: red}
YAML
[ $? -ne 0 ] || fail "a conflicting server-side apply must fail"
expect_contains "$LAST_ERR" 'Apply failed with 1 conflict: conflict with "alice": .data.color'
expect_contains "$LAST_ERR" "--force-conflicts"
ok k get cm ssa -n "$NS" -o jsonpath='{.data.color}'
expect_eq "$LAST_OUT" "blue"
# the same value: bob co-owns the field, no conflict
ssa bob <<'YAML' || fail "co-owning apply failed: $LAST_ERR"
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa}
data: {color: blue}
YAML
ok k get cm ssa -n "$NS" -o jsonpath='{.metadata.managedFields[?(@.manager=="bob")].fieldsV1}'
expect_eq "$LAST_OUT" '{"f:data":{"f:color":{}}}'
ssa bob --force-conflicts <<'YAML' || fail "forced apply failed: $LAST_ERR"
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa}
data: {color: red}
YAML
ok k get cm ssa -n "$NS" -o jsonpath='{.data.color} {.metadata.managedFields[?(@.manager=="alice")].fieldsV1}'
expect_eq "$LAST_OUT" 'red {"f:data":{"f:size":{}}}' "forcing moves ownership of color from alice to bob"
# two conflicts against an Update manager name it with its API version
ok k patch cm ssa -n "$NS" --type=merge -p '{"data":{"size":"L","extra":"x"}}'
ssa carol <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa}
data: {size: M, extra: "y"}
YAML
[ $? -ne 0 ] || fail "a conflict with kubectl-patch must fail"
expect_contains "$LAST_ERR" 'Apply failed with 2 conflicts: conflicts with "kubectl-patch" using v1:'
expect_contains "$LAST_ERR" '- .data.extra'
expect_contains "$LAST_ERR" '- .data.size'
# a field dropped from an applier's config is removed when nobody else owns it
ssa alice --force-conflicts <<'YAML' || fail "alice re-apply failed: $LAST_ERR"
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa, labels: {owner: alice}}
data: {size: M}
YAML
ssa alice <<'YAML' || fail "alice apply without size failed: $LAST_ERR"
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa, labels: {owner: alice}}
YAML
ok k get cm ssa -n "$NS" -o jsonpath='{.data.size}|{.data.color}|{.metadata.labels.owner}'
expect_eq "$LAST_OUT" "|red|alice" "alice's dropped field goes; bob's stays"
ssa alice --dry-run=server <<'YAML' || fail "dry-run server-side apply failed: $LAST_ERR"
apiVersion: v1
kind: ConfigMap
metadata: {name: ssa, labels: {owner: dry}}
YAML
expect_eq "$LAST_OUT" "configmap/ssa serverside-applied (server dry run)"
ok k get cm ssa -n "$NS" -o jsonpath='{.metadata.labels.owner}'
expect_eq "$LAST_OUT" "alice"

# list-map merging: containers are keyed by name, each applier keeps its own
ssa team-a <<'YAML' || fail "team-a apply failed: $LAST_ERR"
apiVersion: apps/v1
kind: Deployment
metadata: {name: shared}
spec:
  selector: {matchLabels: {app: shared}}
  template:
    metadata: {labels: {app: shared}}
    spec:
      containers: [{name: a, image: busybox}]
YAML
ssa team-b <<'YAML' || fail "team-b apply failed: $LAST_ERR"
apiVersion: apps/v1
kind: Deployment
metadata: {name: shared}
spec:
  selector: {matchLabels: {app: shared}}
  template:
    metadata: {labels: {app: shared}}
    spec:
      containers: [{name: b, image: busybox}]
YAML
ok k get deploy shared -n "$NS" -o jsonpath='{range .spec.template.spec.containers[*]}{.name}{"\n"}{end}'
expect_eq "$(sort <<<"$LAST_OUT" | tr '\n' ' ')" "a b "
ssa team-a <<'YAML' || fail "team-a second apply failed: $LAST_ERR"
apiVersion: apps/v1
kind: Deployment
metadata: {name: shared}
spec:
  replicas: 2
  selector: {matchLabels: {app: shared}}
  template:
    metadata: {labels: {app: shared}}
    spec:
      containers: [{name: c, image: busybox}]
YAML
ok k get deploy shared -n "$NS" -o jsonpath='{.spec.replicas}'
expect_eq "$LAST_OUT" "2"
ok k get deploy shared -n "$NS" -o jsonpath='{range .spec.template.spec.containers[*]}{.name}{"\n"}{end}'
expect_eq "$(sort <<<"$LAST_OUT" | tr '\n' ' ')" "b c " "team-a's old container is removed, team-b's stays"
# server-side apply of an invalid object is rejected with the field path
ssa alice <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: Bad_Name}
YAML
[ $? -ne 0 ] || fail "an invalid name must be refused"
expect_contains "$LAST_ERR" 'metadata.name: Invalid value: "Bad_Name"'
# client-side apply switching to server-side takes over the client-side fields
ok k apply --server-side -f "$f" -n "$NS"
expect_eq "$LAST_OUT" "configmap/settings serverside-applied"
ok k get cm settings -n "$NS" -o jsonpath='{.metadata.managedFields[?(@.manager=="kubectl")].operation}'
expect_eq "$LAST_OUT" "Apply"
