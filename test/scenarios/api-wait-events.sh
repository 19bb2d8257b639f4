#!/usr/bin/env bash
# kubectl wait (--for=delete, --for=jsonpath, --for=create, --for=condition, timeouts) and
# events: core/v1 and events.k8s.io/v1 objects of the same store, kubectl get events with
# field selectors, and the 1.32 kubectl events command.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns we

ok k create configmap c1 --from-literal=a=1 -n "$NS"
ok k wait --for=jsonpath='{.data.a}'=1 cm/c1 -n "$NS" --timeout=10s
expect_eq "$LAST_OUT" "configmap/c1 condition met"
(sleep 2; k patch cm c1 -n "$NS" -p '{"data":{"a":"2"}}' >/dev/null) &
ok k wait --for=jsonpath='{.data.a}'=2 cm/c1 -n "$NS" --timeout=20s
expect_eq "$LAST_OUT" "configmap/c1 condition met"
refused k wait --for=jsonpath='{.data.a}'=3 cm/c1 -n "$NS" --timeout=2s
expect_contains "$LAST_ERR" "timed out waiting for the condition on configmaps/c1"
(sleep 2; k delete cm c1 -n "$NS" >/dev/null) &
ok k wait --for=delete cm/c1 -n "$NS" --timeout=20s
expect_eq "$LAST_OUT" "configmap/c1 condition met"
(sleep 2; k create configmap late -n "$NS" >/dev/null) &
ok k wait --for=create cm/late -n "$NS" --timeout=20s
expect_eq "$LAST_OUT" "configmap/late condition met"
ok k label cm late -n "$NS" grp=w
ok k create configmap late2 -n "$NS"
ok k label cm late2 -n "$NS" grp=w
ok k wait --for=jsonpath='{.metadata.labels.grp}'=w cm -l grp=w -n "$NS" --timeout=10s
expect_eq "$LAST_OUT" $'configmap/late condition met\nconfigmap/late2 condition met'
ok k run p --image=busybox -n "$NS"
ok k wait --for=jsonpath='{.status.phase}'=Pending pod/p -n "$NS" --timeout=10s
expect_eq "$LAST_OUT" "pod/p condition met"
# conditions, on an object whose status this scenario owns (a suspended job nobody runs)
ok k create deployment d --image=busybox --replicas=0 -n "$NS"
ok k patch deployment d -n "$NS" --subresource=status --type=merge -p '{"status":{"conditions":[{"type":"Available","status":"True","reason":"Test","message":"set by the scenario","lastUpdateTime":"2024-01-01T00:00:00Z","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}'
ok k wait --for=condition=Available deployment/d -n "$NS" --timeout=10s
expect_eq "$LAST_OUT" "deployment.apps/d condition met"

# --- events ------------------------------------------------------------------------------
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ok k create configmap target -n "$NS"
tuid=$(jp "cm target -n $NS" '{.metadata.uid}')
ok k apply -n "$NS" -f - <<YAML
apiVersion: v1
kind: Event
metadata: {name: ev-normal}
involvedObject: {apiVersion: v1, kind: ConfigMap, name: target, namespace: $NS, uid: $tuid}
reason: Configured
message: target was configured
type: Normal
count: 3
firstTimestamp: "$now"
lastTimestamp: "$now"
source: {component: scenario}
---
apiVersion: v1
kind: Event
metadata: {name: ev-warning}
involvedObject: {apiVersion: v1, kind: Pod, name: p, namespace: $NS}
reason: BackOff
message: something went wrong
type: Warning
count: 1
firstTimestamp: "$now"
lastTimestamp: "$now"
source: {component: scenario}
YAML
ok k apply -n "$NS" -f - <<YAML
apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: ev-new}
eventTime: "$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)"
reportingController: example.com/scenario
reportingInstance: scenario-1
action: Checking
reason: Checked
note: checked by the new API
type: Normal
regarding: {apiVersion: v1, kind: ConfigMap, name: target, namespace: $NS}
YAML
ok k get events -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$'
expect_match "$LAST_OUT" '[0-9]+s +Normal +Configured +configmap/target +target was configured'
expect_match "$LAST_OUT" '[0-9]+s +Warning +BackOff +pod/p +something went wrong'
expect_match "$LAST_OUT" '[0-9]+s +Normal +Checked +configmap/target +checked by the new API'
ok k get events -n "$NS" -o wide
expect_match "$(head -1 <<<"$LAST_OUT")" '^LAST SEEN +TYPE +REASON +OBJECT +SUBOBJECT +SOURCE +MESSAGE +FIRST SEEN +COUNT +NAME$'
expect_match "$LAST_OUT" 'Normal +Configured +configmap/target +scenario +target was configured +[0-9]+s +3 +ev-normal'
# the same store through both APIs
ok k get events.v1.events.k8s.io ev-normal -n "$NS" -o jsonpath='{.regarding.name} {.note} {.deprecatedCount} {.deprecatedSource.component}'
expect_eq "$LAST_OUT" "target target was configured 3 scenario"
ok k get events.v1. ev-new -n "$NS" -o jsonpath='{.involvedObject.kind}/{.involvedObject.name} {.message} {.reportingComponent} {.source.component}'
expect_eq "$LAST_OUT" "ConfigMap/target checked by the new API example.com/scenario "
# field selectors on events
# (a scheduler may add its own Warning about pod p: compare types, not the whole list)
ok k get events -n "$NS" --field-selector type=Warning -o jsonpath='{range .items[*]}{.type}{"\n"}{end}'
expect_eq "$(sort -u <<<"$LAST_OUT")" "Warning"
ok k get events -n "$NS" --field-selector type=Warning -o name
expect_contains "$LAST_OUT" "event/ev-warning"
ok k get events -n "$NS" --field-selector involvedObject.kind=ConfigMap,involvedObject.name=target -o jsonpath='{range .items[*]}{.metadata.name} {end}'
expect_eq "$LAST_OUT" "ev-new ev-normal "
ok k get events -n "$NS" --field-selector reason=BackOff,source=scenario -o name
expect_eq "$LAST_OUT" "event/ev-warning"
ok k get events -A --field-selector "involvedObject.namespace=$NS,reportingComponent=example.com/scenario" -o name
expect_eq "$LAST_OUT" "event/ev-new"
refused k get events -n "$NS" --field-selector message=x
expect_contains "$LAST_ERR" 'field label not supported: message'
# kubectl events
ok k events -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$'
expect_match "$LAST_OUT" 'Warning +BackOff +Pod/p +something went wrong'
expect_match "$LAST_OUT" 'Normal +Configured +ConfigMap/target +target was configured'
ok k events -n "$NS" --for configmap/target
expect_not_contains "$LAST_OUT" "BackOff"
expect_contains "$LAST_OUT" "Configured"
ok k events -n "$NS" --types=Warning
expect_not_contains "$LAST_OUT" "Configured"
expect_contains "$LAST_OUT" "BackOff"
ok k events -n "$NS" -o json
expect_contains "$LAST_OUT" '"kind": "EventList"'
# the describe of the object lists its events (kubectl selects them by involvedObject.uid)
ok k describe cm target -n "$NS"
expect_match "$LAST_OUT" 'Normal +Configured +[0-9a-z]+ \(x3 over [0-9a-z]+\) +scenario +target was configured'
# invalid events are refused
refused k apply -n "$NS" -f - <<YAML
apiVersion: v1
kind: Event
metadata: {name: ev-bad}
involvedObject: {kind: ConfigMap, name: target, namespace: other-namespace}
reason: X
YAML
expect_contains "$LAST_ERR" "involvedObject.namespace: Invalid value: \"other-namespace\": does not match event.namespace"
