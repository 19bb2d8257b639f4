#!/usr/bin/env bash
# kubernetes.io "Define a Command and Arguments for a Container": command/args override the
# image, $(VAR) in args, a shell for loops; restartPolicy OnFailure on success.
# (the docs use debian; offline only `busybox` exists)
# needs: runtime
# timeout: 90
source "${SCENARIO_LIB:?}"
new_ns cmdargs

f=$(manifest commands.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: command-demo, labels: {purpose: demonstrate-command}}
spec:
  containers:
  - name: command-demo-container
    image: busybox
    command: ["printenv"]
    args: ["HOSTNAME", "KUBERNETES_PORT"]
  restartPolicy: OnFailure
---
apiVersion: v1
kind: Pod
metadata: {name: message-demo}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    env:
    - {name: MESSAGE, value: "hello world"}
    command: ["/bin/echo"]
    args: ["$(MESSAGE)", "$(UNDEFINED)", "$$(MESSAGE)"]
---
apiVersion: v1
kind: Pod
metadata: {name: loop-demo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["/bin/sh"]
    args: ["-c", "while true; do echo hello; sleep 1; done"]
---
apiVersion: v1
kind: Pod
metadata: {name: image-default}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    args: ["-c", "echo args only: $0"]
YAML
)
ok k apply -n "$NS" -f "$f"
wait_for 60 "Succeeded" jp "pod command-demo -n $NS" '{.status.phase}'
ok k logs command-demo -n "$NS"
svc=$(jp "service kubernetes -n default" '{.spec.clusterIP}')
expect_eq "$LAST_OUT" $'command-demo\ntcp://'"$svc"':443'
ok k get pod command-demo -n "$NS"
expect_match "$LAST_OUT" 'command-demo +0/1 +Completed +0 '

wait_for 60 "Succeeded" jp "pod message-demo -n $NS" '{.status.phase}'
ok k logs message-demo -n "$NS"
expect_eq "$LAST_OUT" 'hello world $(UNDEFINED) $(MESSAGE)'

ok k wait --for=condition=Ready pod/loop-demo -n "$NS" --timeout=60s
wait_match 10 $'hello\nhello' k logs loop-demo -n "$NS"

# args without command: the image's entrypoint (none for busybox, Cmd ["sh"]) is replaced by args
wait_match 60 'Succeeded|Failed' jp "pod image-default -n $NS" '{.status.phase}'
ok k get pod image-default -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.terminated.reason}'
expect_eq "$LAST_OUT" "StartError" "busybox has no ENTRYPOINT, so args[0] (-c) is run as the command"
