#!/usr/bin/env bash
# kubernetes.io "Configure Liveness, Readiness and Startup Probes": exec, HTTP, TCP and named
# ports, startup probes holding liveness back, readiness gating Ready, the events kubelet writes.
# (the docs use registry.k8s.io/busybox, agnhost liveness and goproxy images; offline only
# `busybox` exists: the HTTP server is busybox httpd, whose /healthz file is removed after a
# few seconds so it starts answering 404, the way agnhost's liveness server turns to 500)
# needs: runtime
# timeout: 240
source "${SCENARIO_LIB:?}"
new_ns probes

f=$(manifest probes.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: liveness-exec, labels: {test: liveness}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: liveness
    image: busybox
    args: [/bin/sh, -c, touch /tmp/healthy; sleep 10; rm -f /tmp/healthy; sleep 600]
    livenessProbe:
      exec: {command: [cat, /tmp/healthy]}
      initialDelaySeconds: 3
      periodSeconds: 3
---
apiVersion: v1
kind: Pod
metadata: {name: liveness-http, labels: {test: liveness}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: liveness
    image: busybox
    args: [/bin/sh, -c, "mkdir -p /www; echo ok > /www/healthz; httpd -p 8080 -h /www; sleep 8; rm /www/healthz; sleep 600"]
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders: [{name: Custom-Header, value: Awesome}]
      initialDelaySeconds: 3
      periodSeconds: 3
---
apiVersion: v1
kind: Pod
metadata: {name: goproxy, labels: {app: goproxy}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: goproxy
    image: busybox
    command: [sh, -c, "sleep 10; mkdir -p /www; httpd -f -p 8080 -h /www"]
    ports: [{containerPort: 8080}]
    readinessProbe:
      tcpSocket: {port: 8080}
      initialDelaySeconds: 1
      periodSeconds: 2
    livenessProbe:
      tcpSocket: {port: 8080}
      initialDelaySeconds: 8
      periodSeconds: 5
---
apiVersion: v1
kind: Pod
metadata: {name: startup}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: [sh, -c, "sleep 12; mkdir -p /www; echo ok > /www/healthz; httpd -f -p 8080 -h /www"]
    ports: [{name: liveness-port, containerPort: 8080}]
    livenessProbe:
      httpGet: {path: /healthz, port: liveness-port}
      failureThreshold: 1
      periodSeconds: 2
    startupProbe:
      httpGet: {path: /healthz, port: liveness-port}
      failureThreshold: 30
      periodSeconds: 2
---
apiVersion: v1
kind: Pod
metadata: {name: readiness-exec}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: [sh, -c, "sleep 600"]
    readinessProbe:
      exec: {command: [cat, /tmp/ready]}
      periodSeconds: 2
YAML
)
ok k apply -n "$NS" -f "$f"
# early on: the slow TCP server is running but not ready; the slow starter is not started
wait_for 30 "Running" jp "pod goproxy -n $NS" '{.status.phase}'
wait_for 30 "Running" jp "pod startup -n $NS" '{.status.phase}'
ok k get pod goproxy -n "$NS" -o jsonpath='{.status.containerStatuses[0].ready}/{.status.conditions[?(@.type=="Ready")].status}'
expect_eq "$LAST_OUT" "false/False"
ok k get pod startup -n "$NS" -o jsonpath='{.status.containerStatuses[0].started}/{.status.containerStatuses[0].ready}'
expect_eq "$LAST_OUT" "false/false"

# exec liveness: restarted once the file is gone, with the documented events
wait_for 60 "Running" jp "pod liveness-exec -n $NS" '{.status.phase}'
ok k get pod liveness-exec -n "$NS" -o jsonpath='{.status.containerStatuses[0].restartCount}'
expect_eq "$LAST_OUT" "0"
wait_match 90 '^[1-9]' jp "pod liveness-exec -n $NS" '{.status.containerStatuses[0].restartCount}'
ok k describe pod liveness-exec -n "$NS"
expect_match "$LAST_OUT" "Warning +Unhealthy +.*Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
expect_match "$LAST_OUT" 'Normal +Killing +.*Container liveness failed liveness probe, will be restarted'
expect_match "$LAST_OUT" 'Liveness: +exec \[cat /tmp/healthy\] delay=3s timeout=1s period=3s #success=1 #failure=3'
ok k get pod liveness-exec -n "$NS" -o jsonpath='{.status.containerStatuses[0].lastState.terminated.reason}/{.status.containerStatuses[0].lastState.terminated.exitCode}'
expect_eq "$LAST_OUT" "Error/137"
# the kubelet's events name the container (kubectl's SUBOBJECT column, involvedObject.fieldPath)
ok k get events -n "$NS" -o wide --field-selector involvedObject.name=liveness-exec,reason=Unhealthy
expect_match "$LAST_OUT" 'spec\.containers\{liveness\}'
ok k get events -n "$NS" --field-selector 'involvedObject.name=liveness-exec,involvedObject.fieldPath=spec.containers{liveness},reason=Killing' -o jsonpath='{.items[0].involvedObject.fieldPath}'
expect_eq "$LAST_OUT" "spec.containers{liveness}"

# HTTP liveness: 404 counts as failure
wait_match 60 '^[1-9]' jp "pod liveness-http -n $NS" '{.status.containerStatuses[0].restartCount}'
ok k get events -n "$NS" --field-selector involvedObject.name=liveness-http,reason=Unhealthy -o jsonpath='{.items[*].message}'
expect_contains "$LAST_OUT" "Liveness probe failed: HTTP probe failed with statuscode: 404"

# TCP readiness: not ready until the port listens, then ready without restarts
ok k wait --for=condition=Ready pod/goproxy -n "$NS" --timeout=60s
sleep 6
ok k get pod goproxy -n "$NS" -o jsonpath='{.status.containerStatuses[0].ready}/{.status.containerStatuses[0].restartCount}'
expect_eq "$LAST_OUT" "true/0"

# startup probe: liveness (failureThreshold 1) does not kill a slow starter
ok k wait --for=condition=Ready pod/startup -n "$NS" --timeout=60s
ok k get pod startup -n "$NS" -o jsonpath='{.status.containerStatuses[0].started}/{.status.containerStatuses[0].restartCount}'
expect_eq "$LAST_OUT" "true/0"
ok k get events -n "$NS" --field-selector involvedObject.name=startup,reason=Unhealthy -o jsonpath='{.items[*].message}'
expect_contains "$LAST_OUT" "Startup probe failed:"
expect_not_contains "$LAST_OUT" "Liveness probe failed"

# exec readiness: Ready follows the probe both ways, and the row shows 0/1 -> 1/1
wait_for 60 "Running" jp "pod readiness-exec -n $NS" '{.status.phase}'
sleep 3
ok k get pod readiness-exec -n "$NS"
expect_match "$LAST_OUT" 'readiness-exec +0/1 +Running +0 '
ok k exec readiness-exec -n "$NS" -- touch /tmp/ready
ok k wait --for=condition=Ready pod/readiness-exec -n "$NS" --timeout=30s
ok k get pod readiness-exec -n "$NS"
expect_match "$LAST_OUT" 'readiness-exec +1/1 +Running +0 '
ok k exec readiness-exec -n "$NS" -- rm /tmp/ready
wait_for 30 "False" jp "pod readiness-exec -n $NS" '{.status.conditions[?(@.type=="Ready")].status}'
ok k get events -n "$NS" --field-selector involvedObject.name=readiness-exec,reason=Unhealthy -o jsonpath='{.items[*].message}'
expect_contains "$LAST_OUT" "Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory"
