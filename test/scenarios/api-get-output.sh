#!/usr/bin/env bash
# kubectl get output forms: -o wide/json/yaml/name/jsonpath/custom-columns/go-template,
# --sort-by, --show-labels, -L/--label-columns, --no-headers, several types at once,
# `get all`, -A, and server-side Table details (--server-print=false, -o wide columns).
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns gout

ok k create configmap cm-b --from-literal=k=2 -n "$NS"
ok k create configmap cm-a --from-literal=k=1 --from-literal=j=3 -n "$NS"
ok k create configmap cm-c --from-literal=k=3 -n "$NS"
ok k label cm cm-a app=web tier=front -n "$NS"
ok k label cm cm-b app=db -n "$NS"
ok k create secret generic s1 --from-literal=x=y -n "$NS"

# -o name / yaml / json for one object and for lists
ok k get cm cm-a -n "$NS" -o name
expect_eq "$LAST_OUT" "configmap/cm-a"
ok k get cm,secret -n "$NS" -o name
expect_eq "$(grep -v kube-root-ca <<<"$LAST_OUT" | tr '\n' ' ')" "configmap/cm-a configmap/cm-b configmap/cm-c secret/s1 " "several types, each sorted by name"
ok k get cm cm-a -n "$NS" -o yaml
expect_contains "$LAST_OUT" "apiVersion: v1"
expect_contains "$LAST_OUT" "kind: ConfigMap"
expect_contains "$LAST_OUT" "  namespace: $NS"
expect_match "$LAST_OUT" $'\n  resourceVersion: "[0-9]+"'
expect_match "$LAST_OUT" $'\n  uid: [0-9a-f-]{36}'
ok k get cm -n "$NS" -o json
expect_contains "$LAST_OUT" '"kind": "List"'
expect_contains "$LAST_OUT" '"apiVersion": "v1"'
expect_contains "$LAST_OUT" '"kind": "ConfigMap"'
ok k get cm -n "$NS" -o yaml
expect_match "$LAST_OUT" '^apiVersion: v1'$'\n''items:'
expect_contains "$LAST_OUT" "kind: List"

# raw list: kind, apiVersion, resourceVersion, items with kind/apiVersion stripped as in Go
ok k get --raw "/api/v1/namespaces/$NS/configmaps"
expect_match "$LAST_OUT" '^\{"kind":"ConfigMapList","apiVersion":"v1","metadata":\{"resourceVersion":"[0-9]+"\},"items":\['

# jsonpath forms
ok k get cm -n "$NS" -l app -o jsonpath='{.items[*].metadata.name}'
expect_eq "$LAST_OUT" "cm-a cm-b"
ok k get cm -n "$NS" -l app -o jsonpath='{range .items[*]}{.metadata.name}={.data.k}{"\n"}{end}'
expect_eq "$LAST_OUT" $'cm-a=1\ncm-b=2'
ok k get cm -n "$NS" -o jsonpath='{.items[?(@.metadata.labels.app=="db")].metadata.name}'
expect_eq "$LAST_OUT" "cm-b"
ok k get cm cm-a -n "$NS" -o jsonpath='{.metadata.labels}'
expect_eq "$LAST_OUT" '{"app":"web","tier":"front"}'
ok k get cm -n "$NS" -o 'jsonpath={.kind}'
expect_eq "$LAST_OUT" "List"
refused k get cm cm-a -n "$NS" -o jsonpath='{.nosuch.field}' --allow-missing-template-keys=false
expect_contains "$LAST_ERR" "nosuch is not found"
ok k get cm cm-a -n "$NS" -o jsonpath='{.nosuch.field}'
expect_eq "$LAST_OUT" ""

# go-template
ok k get cm -n "$NS" -l app -o go-template='{{range .items}}{{.metadata.name}}:{{index .data "k"}} {{end}}'
expect_eq "$LAST_OUT" "cm-a:1 cm-b:2 "
ok k get cm cm-a -n "$NS" -o go-template --template='{{len .data}}'
expect_eq "$LAST_OUT" "2"

# custom-columns, inline and from a file
ok k get cm -n "$NS" -l app -o custom-columns=NAME:.metadata.name,APP:.metadata.labels.app,KEYS:.data.k
expect_eq "$(tr -s ' ' <<<"$LAST_OUT")" $'NAME APP KEYS\ncm-a web 1\ncm-b db 2'
tpl=$(manifest cols.txt <<'TXT'
NAME          NS
metadata.name metadata.namespace
TXT
)
ok k get cm cm-c -n "$NS" -o custom-columns-file="$tpl"
expect_eq "$(tr -s ' ' <<<"$LAST_OUT")" $'NAME NS\ncm-c '"$NS"
ok k get cm cm-c -n "$NS" -o custom-columns=NAME:.metadata.name,MISSING:.metadata.labels.none --no-headers
expect_eq "$(tr -s ' ' <<<"$LAST_OUT")" "cm-c <none>"

# --sort-by (ascending, on a field and on a label)
ok k get cm -n "$NS" -l app --sort-by=.metadata.labels.app -o name
expect_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "configmap/cm-b configmap/cm-a " "sorted by label value"
ok k get cm -n "$NS" --sort-by='{.data.k}' -o custom-columns=N:.metadata.name --no-headers -l 'app in (web,db)'
expect_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "cm-a cm-b "
ok k get cm -n "$NS" --sort-by=.metadata.creationTimestamp --no-headers -o custom-columns=T:.metadata.creationTimestamp
expect_eq "$LAST_OUT" "$(sort <<<"$LAST_OUT")" "sorted by creation time"

# table forms: headers, --show-labels, -L, --no-headers
ok k get cm -n "$NS" --show-labels
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +DATA +AGE +LABELS$'
expect_match "$LAST_OUT" 'cm-a +2 +[0-9]+s +app=web,tier=front'
expect_match "$LAST_OUT" 'cm-c +1 +[0-9]+s +<none>'
ok k get cm -n "$NS" -L app -L tier
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +DATA +AGE +APP +TIER$'
expect_match "$LAST_OUT" 'cm-a +2 +[0-9]+s +web +front'
expect_match "$LAST_OUT" 'cm-b +1 +[0-9]+s +db *'
ok k get cm -n "$NS" --label-columns=app,tier --no-headers
expect_match "$LAST_OUT" 'cm-a +2 +[0-9]+s +web +front'
ok k get cm,secret -n "$NS"
expect_match "$LAST_OUT" '^NAME +DATA +AGE'
expect_contains "$LAST_OUT" "configmap/cm-a"
expect_match "$LAST_OUT" $'\n\nNAME +TYPE +DATA +AGE\nsecret/s1 +Opaque +1 +'
# -o wide on a type whose table has priority columns
ok k run p1 --image=busybox -n "$NS" --labels=app=web
ok k get pods -n "$NS" -o wide
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES$'
expect_match "$LAST_OUT" 'p1 +0/1 +Pending +0 +[0-9]+s +<none> +<none> +<none> +<none>'
# the client-side printer (no server Table) still prints names
ok k get cm -n "$NS" --server-print=false
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +(DATA +)?AGE$'
expect_contains "$LAST_OUT" "cm-a"

# get all: the types in the "all" category (no controller needed: the objects are made here)
ok k create deployment d1 --image=busybox --replicas=0 -n "$NS"
ok k create service clusterip s1 --tcp=80:80 -n "$NS"
ok k create cronjob cj1 --image=busybox --schedule='0 0 * * *' -n "$NS"
ok k apply -n "$NS" -f - <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs1}
spec:
  replicas: 0
  selector: {matchLabels: {app: rs1}}
  template:
    metadata: {labels: {app: rs1}}
    spec: {containers: [{name: c, image: busybox}]}
YAML
ok k get all -n "$NS" -o name
for r in pod/p1 service/s1 deployment.apps/d1 replicaset.apps/rs1 cronjob.batch/cj1; do
  grep -qx "$r" <<<"$LAST_OUT" || fail "get all lacks $r"
done
ok k get all -n "$NS"
expect_contains "$LAST_OUT" "pod/p1"
expect_contains "$LAST_OUT" "service/s1"
expect_contains "$LAST_OUT" "deployment.apps/d1"
expect_match "$LAST_OUT" 'NAME +READY +UP-TO-DATE +AVAILABLE +AGE'
expect_not_contains "$LAST_OUT" "configmap/" "get all does not list configmaps"

# -A / --all-namespaces adds a NAMESPACE column
ok k get cm -A
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAMESPACE +NAME +DATA +AGE$'
expect_match "$LAST_OUT" "$NS +cm-a +2 +"
expect_match "$LAST_OUT" "kube-system +kube-root-ca.crt +1 +"
ok k get cm -A --field-selector metadata.namespace="$NS" -o name
expect_eq "$(grep -c . <<<"$LAST_OUT")" "4" "field selector on metadata.namespace across namespaces"

# not found in a multi-object get: the others still print, exit 1
run k get cm cm-a nosuch -n "$NS" -o name
[ $? -ne 0 ] || fail "a get with a missing name must exit non-zero"
expect_eq "$LAST_OUT" "configmap/cm-a"
expect_contains "$LAST_ERR" 'Error from server (NotFound): configmaps "nosuch" not found'
ok k get cm -n "$NS" -l app=nobody
expect_eq "$LAST_OUT" ""
expect_eq "$LAST_ERR" "No resources found in $NS namespace."
ok k get cm nosuch -n "$NS" --ignore-not-found
expect_eq "$LAST_OUT" ""
