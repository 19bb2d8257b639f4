#!/usr/bin/env bash
# kubectl diff (exit codes, new objects, server-side diff, secret masking, pruned managed
# fields) and kubectl edit through KUBE_EDITOR (edit, no change, invalid change, name change).
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns dfe

f=$(manifest cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, labels: {app: demo}}
data: {color: green, size: L}
YAML
)
# a new object: everything is added, exit 1
run k diff -f "$f" -n "$NS"
expect_eq "$?" "1" "diff of an object that does not exist yet exits 1"
expect_contains "$LAST_OUT" "v1.ConfigMap.$NS.settings"
expect_contains "$LAST_OUT" "+  color: green"
expect_contains "$LAST_OUT" "+kind: ConfigMap"
refused k get cm settings -n "$NS"
ok k apply -f "$f" -n "$NS"
# nothing to change: exit 0, no output
ok k diff -f "$f" -n "$NS"
expect_eq "$LAST_OUT" ""
sed -i 's/color: green/color: red/' "$f"
run k diff -f "$f" -n "$NS"
expect_eq "$?" "1"
expect_contains "$LAST_OUT" "-  color: green"
expect_contains "$LAST_OUT" "+  color: red"
expect_not_contains "$LAST_OUT" "managedFields" "diff leaves managedFields out"
expect_not_contains "$LAST_OUT" "resourceVersion" "a dry-run patch does not bump resourceVersion in the diff"
ok k get cm settings -n "$NS" -o jsonpath='{.data.color}'
expect_eq "$LAST_OUT" "green" "diff changes nothing"
run k diff -f "$f" -n "$NS" --server-side --force-conflicts
expect_eq "$?" "1"
expect_contains "$LAST_OUT" "+  color: red"
# secrets are masked
ok k create secret generic s -n "$NS" --from-literal=pw=old
run k diff -n "$NS" -f <(printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {pw: new}\n')
expect_eq "$?" "1"
expect_contains "$LAST_OUT" "pw: '*** (before)'"
expect_contains "$LAST_OUT" "pw: '*** (after)'"
expect_not_contains "$LAST_OUT" "bmV3"
# an invalid object makes diff fail (exit > 1) with the server's message
run k diff -n "$NS" -f <(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {"bad key": x}\n')
rc=$?
[ $rc -gt 1 ] || fail "diff of an invalid object must exit >1, got $rc"
expect_contains "$LAST_ERR" 'data[bad key]: Invalid value: "bad key"'

# --- edit --------------------------------------------------------------------------------
ok env KUBE_EDITOR="sed -i s/size:\ L/size:\ XL/" kubectl edit cm settings -n "$NS"
expect_eq "$LAST_OUT" "configmap/settings edited"
ok k get cm settings -n "$NS" -o jsonpath='{.data.size}'
expect_eq "$LAST_OUT" "XL"
ok k get cm settings -n "$NS" -o jsonpath='{.metadata.managedFields[?(@.manager=="kubectl-edit")].operation}'
expect_eq "$LAST_OUT" "Update"
ok env KUBE_EDITOR=true kubectl edit cm settings -n "$NS"
expect_eq "$LAST_ERR" "Edit cancelled, no changes made."
# an invalid edit is refused and the edited copy kept
run env KUBE_EDITOR="sed -i s/app:\ demo/app:\ \"no\ good\"/" kubectl edit cm settings -n "$NS"
[ $? -ne 0 ] || fail "an invalid edit must fail"
expect_contains "$LAST_ERR" 'configmaps "settings" is invalid'
expect_contains "$LAST_ERR" "A copy of your changes has been stored to"
copy=$(grep -o 'stored to "[^"]*"' <<<"$LAST_ERR" | cut -d'"' -f2)
[ -n "$copy" ] && rm -f "$copy"
ok k get cm settings -n "$NS" -o jsonpath='{.metadata.labels.app}'
expect_eq "$LAST_OUT" "demo"
# the name cannot change through edit
run env KUBE_EDITOR="sed -i s/name:\ settings/name:\ other/" kubectl edit cm settings -n "$NS"
[ $? -ne 0 ] || fail "renaming through edit must fail"
expect_contains "$LAST_ERR" "At least one of apiVersion, kind and name was changed"
copy=$(grep -o 'stored to "[^"]*"' <<<"$LAST_ERR" | cut -d'"' -f2)
[ -n "$copy" ] && rm -f "$copy"
# edit in JSON, and several objects at once
ok k create configmap second -n "$NS" --from-literal=size=L
ed=$(manifest editor.sh <<'SH'
#!/bin/sh
sed -i 's/"size": "L"/"size": "S"/' "$1"
SH
)
chmod +x "$ed"
ok env KUBE_EDITOR="$ed" kubectl edit cm settings second -n "$NS" -o json
expect_contains "$LAST_OUT" '"size": "S"' "-o json edits and prints in JSON"
ok k get cm second -n "$NS" -o jsonpath='{.data.size}'
expect_eq "$LAST_OUT" "S"
# edit a deployment: strategic merge of the edited containers, generation bumps
ok k create deployment web --image=busybox -n "$NS"
ok env KUBE_EDITOR="sed -i s/image:\ busybox/image:\ busybox:1.36/" kubectl edit deploy web -n "$NS"
expect_eq "$LAST_OUT" "deployment.apps/web edited"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].image} {.metadata.generation}'
expect_eq "$LAST_OUT" "busybox:1.36 2"
