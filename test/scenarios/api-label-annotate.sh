#!/usr/bin/env bash
# kubectl label / annotate: add, --overwrite, removal, --all, -l, several objects,
# --resource-version preconditions, server dry run, and the server's metadata validation.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns lbl

for n in a b c; do ok k create configmap "$n" --from-literal=k=v -n "$NS"; done
ok k create secret generic s --from-literal=k=v -n "$NS"

ok k label cm a env=prod -n "$NS"
expect_eq "$LAST_OUT" "configmap/a labeled"
refused k label cm a env=dev -n "$NS"
expect_contains "$LAST_ERR" "'env' already has a value (prod), and --overwrite is false"
ok k label cm a env=dev --overwrite -n "$NS"
expect_eq "$LAST_OUT" "configmap/a labeled"
ok k get cm a -n "$NS" -o jsonpath='{.metadata.labels.env}'
expect_eq "$LAST_OUT" "dev"
ok k label cm a env=dev -n "$NS"
expect_eq "$LAST_OUT" "configmap/a not labeled" "the same value again changes nothing"
ok k label cm a env- -n "$NS"
expect_eq "$LAST_OUT" "configmap/a unlabeled"
ok k get cm a -n "$NS" -o jsonpath='{.metadata.labels}'
expect_eq "$LAST_OUT" ""
# several objects and types at once, then by selector, then --all
ok k label cm/a cm/b secret/s team=x -n "$NS"
expect_eq "$LAST_OUT" $'configmap/a labeled\nconfigmap/b labeled\nsecret/s labeled'
ok k label cm -l team=x tier=fe -n "$NS"
expect_eq "$LAST_OUT" $'configmap/a labeled\nconfigmap/b labeled'
ok k label cm --all all=yes -n "$NS"
expect_eq "$(grep -c 'labeled$' <<<"$LAST_OUT")" "4" "--all labels every configmap (incl. kube-root-ca.crt)"
ok k get cm -n "$NS" -l all=yes,tier=fe -o name
expect_eq "$(tr '\n' ' ' <<<"$LAST_OUT")" "configmap/a configmap/b "
ok k label cm a --list -n "$NS"
expect_eq "$(sort <<<"$LAST_OUT" | tr '\n' ' ')" "all=yes team=x tier=fe "
# prefixed keys
ok k label cm c app.kubernetes.io/name=demo example.com/owner=ops -n "$NS"
ok k get cm c -n "$NS" -o jsonpath='{.metadata.labels.app\.kubernetes\.io/name} {.metadata.labels.example\.com/owner}'
expect_eq "$LAST_OUT" "demo ops"

# optimistic concurrency through --resource-version
rv=$(jp "cm c -n $NS" '{.metadata.resourceVersion}')
ok k label cm c v=1 --resource-version="$rv" -n "$NS"
refused k label cm c v=2 --overwrite --resource-version="$rv" -n "$NS"
expect_contains "$LAST_ERR" 'Error from server (Conflict): Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again'
# server dry run stores nothing
ok k label cm c dry=run --dry-run=server -n "$NS"
expect_eq "$LAST_OUT" "configmap/c labeled (server dry run)"
ok k get cm c -n "$NS" -o jsonpath='{.metadata.labels.dry}'
expect_eq "$LAST_OUT" ""
ok k label cm c dry=run --dry-run=client -n "$NS" -o jsonpath='{.metadata.labels.dry}'
expect_eq "$LAST_OUT" "run"

# the server validates labels and annotations
refused k patch cm c -n "$NS" -p '{"metadata":{"labels":{"x":"bad value!"}}}'
expect_contains "$LAST_ERR" "The ConfigMap \"c\" is invalid: metadata.labels: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
refused k patch cm c -n "$NS" -p '{"metadata":{"labels":{"bad key":"v"}}}'
expect_contains "$LAST_ERR" "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
refused k patch cm c -n "$NS" -p "{\"metadata\":{\"labels\":{\"v\":\"$(printf 'a%.0s' $(seq 64))\"}}}"
expect_contains "$LAST_ERR" 'must be no more than 63 characters'
refused k patch cm c -n "$NS" -p '{"metadata":{"annotations":{"Bad Key":"v"}}}'
expect_contains "$LAST_ERR" 'metadata.annotations: Invalid value: "Bad Key": name part must consist of alphanumeric characters'

# annotate
ok k annotate cm a note=hello -n "$NS"
expect_eq "$LAST_OUT" "configmap/a annotated"
refused k annotate cm a note=bye -n "$NS"
expect_contains "$LAST_ERR" "--overwrite is false but found the following declared annotation(s): 'note' already has a value (hello)"
ok k annotate cm a note=bye --overwrite -n "$NS"
ok k annotate cm a 'multi=line one
line two' -n "$NS"
ok k get cm a -n "$NS" -o jsonpath='{.metadata.annotations.note}|{.metadata.annotations.multi}'
expect_eq "$LAST_OUT" $'bye|line one\nline two'
ok k annotate cm a note- -n "$NS"
expect_eq "$LAST_OUT" "configmap/a annotated"
ok k get cm a -n "$NS" -o jsonpath='{.metadata.annotations.note}'
expect_eq "$LAST_OUT" ""
ok k annotate cm --all -n "$NS" reviewed=true
expect_eq "$(grep -c 'annotated$' <<<"$LAST_OUT")" "4"
ok k annotate cm -l tier=fe -n "$NS" fe=1
expect_eq "$LAST_OUT" $'configmap/a annotated\nconfigmap/b annotated'
# annotations are limited to 256 KiB in total
big=$(mktemp); defer rm -f "$big"
node -e 'process.stdout.write(JSON.stringify({metadata:{annotations:{big:"x".repeat(262145)}}}))' >"$big"
refused k patch cm b -n "$NS" --patch-file="$big"
expect_match "$LAST_ERR" 'metadata.annotations: Too long: .*262144 bytes'
