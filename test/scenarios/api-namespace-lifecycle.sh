#!/usr/bin/env bash
# A namespace's life as the API records it: Terminating with conditions while content with
# finalizers remains, no new content meanwhile, then gone; namespace finalizers (spec and
# metadata), the finalize subresource, and describe of a terminating namespace.
# needs: api
# timeout: 90
source "${SCENARIO_LIB:?}"
n="life-$RANDOM$RANDOM"
ok k create namespace "$n"
defer k delete namespace "$n" --wait=false
ok k get ns "$n" -o jsonpath='{.spec.finalizers} {.status.phase}'
expect_eq "$LAST_OUT" '["kubernetes"] Active'
ok k apply -n "$n" -f - <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: held, finalizers: [example.com/hold]}
YAML
ok k create configmap plain -n "$n"
ok k delete namespace "$n" --wait=false
expect_eq "$LAST_OUT" "namespace \"$n\" deleted"
ok k get ns "$n" --no-headers
expect_match "$LAST_OUT" "^$n +Terminating +"
ok k get ns "$n" -o jsonpath='{.metadata.deletionTimestamp}'
expect_match "$LAST_OUT" '^[0-9]{4}-'
refused k create configmap late -n "$n"
expect_contains "$LAST_ERR" "configmaps \"late\" is forbidden: unable to create new content in namespace $n because it is being terminated"
# the namespace controller removes what it can and reports what holds it
wait_for 30 "" jp "cm plain -n $n" '{.metadata.name}'
wait_match 30 'True' jp "ns $n" '{.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].status}'
ok k get ns "$n" -o jsonpath='{.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].reason}|{.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].message}'
expect_eq "$LAST_OUT" "SomeFinalizersRemain|Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
ok k get ns "$n" -o jsonpath='{.status.conditions[?(@.type=="NamespaceContentRemaining")].reason}|{.status.conditions[?(@.type=="NamespaceContentRemaining")].message}'
expect_eq "$LAST_OUT" "SomeResourcesRemain|Some resources are remaining: configmaps. has 1 resource instances"
ok k get ns "$n" -o jsonpath='{.status.conditions[?(@.type=="NamespaceDeletionDiscoveryFailure")].status} {.status.conditions[?(@.type=="NamespaceDeletionContentFailure")].status}'
expect_eq "$LAST_OUT" "False False"
ok k describe ns "$n"
expect_match "$LAST_OUT" 'Status: +Terminating'
expect_match "$LAST_OUT" 'NamespaceFinalizersRemaining +True +[A-Z][a-z]{2}, .* +SomeFinalizersRemain +Some content in the namespace has finalizers remaining'
ok k patch cm held -n "$n" --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
wait_for 60 "" jp "ns $n" '{.metadata.name}'

# a namespace's own spec.finalizers hold it until the finalize subresource clears them
m="fin-$RANDOM$RANDOM"
ok k apply -f - <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $m}
spec: {finalizers: [kubernetes, example.com/ns-hold]}
YAML
defer k delete namespace "$m" --wait=false
ok k get ns "$m" -o jsonpath='{.spec.finalizers}'
expect_eq "$LAST_OUT" '["kubernetes","example.com/ns-hold"]'
# spec.finalizers cannot be changed by a plain update
ok k patch ns "$m" --type=merge -p '{"spec":{"finalizers":["kubernetes"]}}'
ok k get ns "$m" -o jsonpath='{.spec.finalizers}'
expect_eq "$LAST_OUT" '["kubernetes","example.com/ns-hold"]' "only the finalize subresource changes spec.finalizers"
ok k delete ns "$m" --wait=false
wait_match 30 '^\["example.com/ns-hold"\]$' jp "ns $m" '{.spec.finalizers}'
ok k get ns "$m" -o json
sed 's/"example.com\/ns-hold"//; s/"finalizers": \[[[:space:]]*\]/"finalizers": []/' <<<"$LAST_OUT" >"${TMPDIR:-/tmp}/ns-$m.json"
defer rm -f "${TMPDIR:-/tmp}/ns-$m.json"
ok k replace --raw "/api/v1/namespaces/$m/finalize" -f "${TMPDIR:-/tmp}/ns-$m.json"
wait_for 30 "" jp "ns $m" '{.metadata.name}'
