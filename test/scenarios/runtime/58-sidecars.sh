#!/usr/bin/env bash
# kubernetes.io "Sidecar Containers": init containers with restartPolicy Always start before
# the app and keep running beside it (READY counts them); in a Job the pod completes when
# the main container ends, and the sidecar is stopped.
# (the docs use alpine:latest; offline only `busybox` exists)
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns sidecar

f=$(manifest sidecar.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: myapp, labels: {app: myapp}}
spec:
  replicas: 1
  selector: {matchLabels: {app: myapp}}
  template:
    metadata: {labels: {app: myapp}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: myapp
        image: busybox
        command: ['sh', '-c', 'while true; do echo "logging" >> /opt/logs.txt; sleep 1; done']
        volumeMounts: [{name: data, mountPath: /opt}]
      initContainers:
      - name: logshipper
        image: busybox
        restartPolicy: Always
        command: ['sh', '-c', 'tail -F /opt/logs.txt']
        volumeMounts: [{name: data, mountPath: /opt}]
      volumes:
      - name: data
        emptyDir: {}
---
apiVersion: batch/v1
kind: Job
metadata: {name: myjob}
spec:
  template:
    spec:
      containers:
      - name: myjob
        image: busybox
        command: ['sh', '-c', 'echo "logging" > /opt/logs.txt; sleep 2']
        volumeMounts: [{name: data, mountPath: /opt}]
      initContainers:
      - name: logshipper
        image: busybox
        restartPolicy: Always
        command: ['sh', '-c', 'tail -F /opt/logs.txt']
        volumeMounts: [{name: data, mountPath: /opt}]
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      volumes:
      - name: data
        emptyDir: {}
YAML
)
ok k apply -n "$NS" -f "$f"
ok k rollout status deployment/myapp -n "$NS" --timeout=90s
ok k get pods -n "$NS" -l app=myapp --no-headers
expect_match "$LAST_OUT" '^myapp-[a-z0-9]+-[a-z0-9]{5} +2/2 +Running +0 '
pod=$(jp "pods -n $NS -l app=myapp" '{.items[0].metadata.name}')
ok k get pod "$pod" -n "$NS" -o jsonpath='{.status.initContainerStatuses[0].name}/{.status.initContainerStatuses[0].started}/{.status.initContainerStatuses[0].ready}/{.status.initContainerStatuses[0].state.running.startedAt}'
expect_match "$LAST_OUT" '^logshipper/true/true/20'
wait_match 20 'logging' k logs "$pod" -n "$NS" -c logshipper
ok k get pod "$pod" -n "$NS" -o jsonpath='{.status.conditions[?(@.type=="Initialized")].status}/{.status.conditions[?(@.type=="Ready")].status}'
expect_eq "$LAST_OUT" "True/True"

ok k wait --for=condition=complete job/myjob -n "$NS" --timeout=90s
jpod=$(jp "pods -n $NS -l batch.kubernetes.io/job-name=myjob" '{.items[0].metadata.name}')
wait_for 30 "Succeeded" jp "pod $jpod -n $NS" '{.status.phase}'
ok k logs "$jpod" -n "$NS" -c logshipper
expect_contains "$LAST_OUT" "logging"
ok k get pod "$jpod" -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.terminated.reason}/{.status.initContainerStatuses[0].state.terminated.exitCode}'
expect_match "$LAST_OUT" '^Completed/(0|137|143)$'
