#!/usr/bin/env bash
# Pods through the API only (no node needed): kubectl run flags, QoS classes, validation of
# resources and updates, ephemeral containers through kubectl debug, debug --copy-to, and
# kubectl expose of pods and deployments.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns pods

ok k run cmd --image=busybox --restart=Never --env=A=1 --env=B=2 --labels=app=x,tier=y --command -n "$NS" -- sleep 3600
ok k get pod cmd -n "$NS" -o jsonpath='{.spec.restartPolicy}|{.spec.containers[0].command}|{.spec.containers[0].env[*].name}|{.metadata.labels}'
expect_eq "$LAST_OUT" 'Never|["sleep","3600"]|A B|{"app":"x","tier":"y"}'
ok k run args --image=busybox -n "$NS" -- echo hi
ok k get pod args -n "$NS" -o jsonpath='{.spec.containers[0].args}|{.spec.containers[0].command}|{.metadata.labels.run}'
expect_eq "$LAST_OUT" '["echo","hi"]||args'
ok k run ports --image=busybox --port=8080 --image-pull-policy=IfNotPresent -n "$NS"
ok k get pod ports -n "$NS" -o jsonpath='{.spec.containers[0].ports[0].containerPort}/{.spec.containers[0].ports[0].protocol} {.spec.containers[0].imagePullPolicy}'
expect_eq "$LAST_OUT" "8080/TCP IfNotPresent"
ok k get pod ports -n "$NS" -o jsonpath='{.status.phase} {.status.qosClass}'
expect_eq "$LAST_OUT" "Pending BestEffort"

# QoS classes are computed by the server
ok k apply -n "$NS" -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: guaranteed}
spec:
  containers:
  - {name: c, image: busybox, resources: {limits: {cpu: 100m, memory: 64Mi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: burstable}
spec:
  containers:
  - {name: c, image: busybox, resources: {requests: {cpu: 100m}}}
YAML
ok k get pod guaranteed -n "$NS" -o jsonpath='{.status.qosClass} {.spec.containers[0].resources.requests.cpu} {.spec.containers[0].resources.requests.memory}'
expect_eq "$LAST_OUT" "Guaranteed 100m 64Mi" "requests default to limits"
ok k get pod burstable -n "$NS" -o jsonpath='{.status.qosClass}'
expect_eq "$LAST_OUT" "Burstable"
refused k apply -n "$NS" -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: inverted}
spec:
  containers:
  - {name: c, image: busybox, resources: {requests: {memory: 2Gi}, limits: {memory: 1Gi}}}
YAML
expect_contains "$LAST_ERR" 'spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi'
# pod updates: only some fields may change
ok k patch pod cmd -n "$NS" -p '{"spec":{"activeDeadlineSeconds":600}}'
ok k patch pod cmd -n "$NS" -p '{"metadata":{"labels":{"new":"label"}}}'
refused k patch pod cmd -n "$NS" -p '{"spec":{"restartPolicy":"Always"}}'
expect_contains "$LAST_ERR" 'spec: Forbidden: pod updates may not change fields other than'
refused k patch pod cmd -n "$NS" --type=json -p '[{"op":"add","path":"/spec/containers/-","value":{"name":"more","image":"busybox"}}]'
expect_contains "$LAST_ERR" 'The Pod "cmd" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers'
# spec.nodeName may be set by a binding only once
ok k create --raw "/api/v1/namespaces/$NS/pods/ports/binding" -f <(printf '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"ports"},"target":{"apiVersion":"v1","kind":"Node","name":"somenode"}}')
ok k get pod ports -n "$NS" -o jsonpath='{.spec.nodeName} {.status.conditions[?(@.type=="PodScheduled")].status}'
expect_eq "$LAST_OUT" "somenode True"
refused k create --raw "/api/v1/namespaces/$NS/pods/ports/binding" -f <(printf '{"apiVersion":"v1","kind":"Binding","metadata":{"name":"ports"},"target":{"apiVersion":"v1","kind":"Node","name":"other"}}')
expect_contains "$LAST_ERR" 'pod ports is already assigned to node "somenode"'

# kubectl debug: an ephemeral container, and a copy of the pod
ok k debug cmd -n "$NS" --image=busybox -c dbg --target=cmd -- sleep 1
ok k get pod cmd -n "$NS" -o jsonpath='{.spec.ephemeralContainers[0].name} {.spec.ephemeralContainers[0].image} {.spec.ephemeralContainers[0].targetContainerName}'
expect_eq "$LAST_OUT" "dbg busybox cmd"
refused k patch pod cmd -n "$NS" --type=json -p '[{"op":"remove","path":"/spec/ephemeralContainers"}]'
ok k get pod cmd -n "$NS" -o jsonpath='{.spec.ephemeralContainers[0].name}'
expect_eq "$LAST_OUT" "dbg" "ephemeral containers change only through their subresource"
ok k debug cmd -n "$NS" --image=busybox --copy-to=cmd-copy --container=extra -- sleep 1
ok k get pod cmd-copy -n "$NS" -o jsonpath='{.spec.containers[*].name}'
expect_eq "$LAST_OUT" "cmd extra"

# expose
ok k expose pod cmd --port=80 --target-port=8080 --name=cmd-svc -n "$NS"
expect_eq "$LAST_OUT" "service/cmd-svc exposed"
ok k get svc cmd-svc -n "$NS" -o jsonpath='{.spec.selector} {.spec.ports[0].port} {.spec.ports[0].targetPort}'
expect_eq "$LAST_OUT" '{"app":"x","new":"label","tier":"y"} 80 8080' "the pod's labels become the selector"
ok k create deployment web --image=busybox --port=8080 -n "$NS"
ok k expose deployment web --port=80 --type=NodePort -n "$NS"
ok k get svc web -n "$NS" -o jsonpath='{.spec.type} {.spec.selector.app} {.spec.ports[0].targetPort}'
expect_eq "$LAST_OUT" "NodePort web 80" "targetPort defaults to port"
refused k expose pod args --port=80 -n "$NS" --name=Bad_Name
expect_contains "$LAST_ERR" 'metadata.name: Invalid value: "Bad_Name"'
