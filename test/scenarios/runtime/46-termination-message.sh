#!/usr/bin/env bash
# kubernetes.io "Determine the Reason for Pod Failure": /dev/termination-log, a custom
# terminationMessagePath, and terminationMessagePolicy FallbackToLogsOnError.
# (the docs use debian; offline only `busybox` exists)
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns term

f=$(manifest termination.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: termination-demo}
spec:
  containers:
  - name: termination-demo-container
    image: busybox
    command: ["/bin/sh"]
    args: ["-c", "sleep 10 && echo Sleep expired > /dev/termination-log"]
---
apiVersion: v1
kind: Pod
metadata: {name: msg-path-demo}
spec:
  restartPolicy: Never
  containers:
  - name: msg-path-demo-container
    image: busybox
    terminationMessagePath: "/tmp/my-log"
    command: ["/bin/sh", "-c", "echo custom path message > /tmp/my-log; exit 2"]
---
apiVersion: v1
kind: Pod
metadata: {name: fallback}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["/bin/sh", "-c", "echo first line; echo last words; exit 1"]
---
apiVersion: v1
kind: Pod
metadata: {name: fallback-ok}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["/bin/sh", "-c", "echo not a message"]
---
apiVersion: v1
kind: Pod
metadata: {name: file-policy}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["/bin/sh", "-c", "echo only in logs; exit 1"]
YAML
)
ok k apply -n "$NS" -f "$f"
ok k get pod termination-demo -n "$NS" -o jsonpath='{.spec.containers[0].terminationMessagePath}/{.spec.containers[0].terminationMessagePolicy}'
expect_eq "$LAST_OUT" "/dev/termination-log/File"
# (restartPolicy Always: the container exits 0 after 10 s and is restarted; the message stays in lastState)
wait_match 90 'Sleep expired' k get pod termination-demo -n "$NS" -o go-template="{{range .status.containerStatuses}}{{.lastState.terminated.message}}{{end}}"
ok k get pod termination-demo -n "$NS" -o go-template="{{range .status.containerStatuses}}{{.lastState.terminated.message}}{{end}}"
expect_eq "$LAST_OUT" "Sleep expired"
ok k get pod termination-demo -n "$NS" --output=yaml
expect_match "$LAST_OUT" 'message: \|
 +Sleep expired'
ok k get pod termination-demo -n "$NS" -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}/{.status.containerStatuses[0].lastState.terminated.reason}'
expect_eq "$LAST_OUT" "0/Completed"
ok k get pod termination-demo -n "$NS" -o go-template='{{range .status.containerStatuses}}{{printf "%s:\n%s\n\n" .name .lastState.terminated.message}}{{end}}'
expect_eq "$LAST_OUT" $'termination-demo-container:\nSleep expired'

wait_for 60 "Failed" jp "pod msg-path-demo -n $NS" '{.status.phase}'
ok k get pod msg-path-demo -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.terminated.message}'
expect_eq "$LAST_OUT" "custom path message"

wait_for 60 "Failed" jp "pod fallback -n $NS" '{.status.phase}'
ok k get pod fallback -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.terminated.message}'
expect_eq "$LAST_OUT" $'first line\nlast words'
wait_for 60 "Succeeded" jp "pod fallback-ok -n $NS" '{.status.phase}'
ok k get pod fallback-ok -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.terminated.message}'
expect_eq "$LAST_OUT" "" "logs are only used when the container failed"
wait_for 60 "Failed" jp "pod file-policy -n $NS" '{.status.phase}'
ok k get pod file-policy -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.terminated.message}'
expect_eq "$LAST_OUT" "" "policy File never falls back to logs"
ok k describe pod msg-path-demo -n "$NS"
expect_match "$LAST_OUT" 'Message: +custom path message'
expect_match "$LAST_OUT" 'Exit Code: +2'
