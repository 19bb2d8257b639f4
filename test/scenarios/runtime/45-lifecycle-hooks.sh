#!/usr/bin/env bash
# kubernetes.io "Attach Handlers to Container Lifecycle Events": postStart runs before the
# container is reported Running; preStop runs (and is waited for) before the stop signal;
# a failing postStart kills the container.
# (the docs use nginx; offline only `busybox` exists: busybox httpd stands in, and the preStop
# `nginx -s quit; while killall -0 nginx ...` becomes `killall httpd; while killall -0 httpd ...`)
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns hooks

f=$(manifest lifecycle.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: lifecycle-demo}
spec:
  containers:
  - name: lifecycle-demo-container
    image: busybox
    # (httpd runs as a child of sh: as PID 1 it would ignore killall's SIGTERM, unlike nginx)
    command: [sh, -c, "mkdir -p /www; httpd -f -p 80 -h /www & wait"]
    lifecycle:
      postStart:
        exec:
          command: ["/bin/sh", "-c", "echo Hello from the postStart handler > /usr/share/message"]
      preStop:
        exec:
          command: ["/bin/sh", "-c", "killall httpd; while killall -0 httpd; do sleep 1; done"]
    # nginx's image has /usr/share; busybox's has not, so an emptyDir provides it
    volumeMounts: [{name: share, mountPath: /usr/share}]
  volumes: [{name: share, emptyDir: {}}]
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/lifecycle-demo -n "$NS" --timeout=60s
ok k get pod lifecycle-demo -n "$NS"
expect_match "$LAST_OUT" 'lifecycle-demo +1/1 +Running +0 '
ok k exec lifecycle-demo -n "$NS" -- cat /usr/share/message
expect_eq "$LAST_OUT" "Hello from the postStart handler"
# the preStop handler stops httpd itself: deletion finishes well before the 30 s grace period
start=$SECONDS
ok k delete pod lifecycle-demo -n "$NS" --timeout=60s
[ $((SECONDS - start)) -lt 20 ] || fail "preStop should have ended the container quickly (took $((SECONDS - start))s)"

# a preStop hook delays the stop signal: the main process only traps TERM
f=$(manifest prestop.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: prestop-sleep}
spec:
  terminationGracePeriodSeconds: 30
  containers:
  - name: c
    image: busybox
    command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]
    lifecycle:
      preStop:
        exec: {command: [sh, -c, "sleep 5"]}
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/prestop-sleep -n "$NS" --timeout=60s
start=$SECONDS
ok k delete pod prestop-sleep -n "$NS" --timeout=60s
took=$((SECONDS - start))
[ $took -ge 5 ] && [ $took -lt 25 ] || fail "deletion should wait for the 5 s preStop hook, then stop on TERM (took ${took}s)"

# a failing postStart hook: FailedPostStartHook event and the container is killed and restarted
f=$(manifest poststart-fail.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bad-hook}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: [sleep, "3600"]
    lifecycle:
      postStart:
        exec: {command: [sh, -c, "echo nope; exit 1"]}
YAML
)
ok k apply -n "$NS" -f "$f"
wait_match 60 'FailedPostStartHook' k get events -n "$NS" --field-selector involvedObject.name=bad-hook -o jsonpath='{.items[*].reason}'
wait_match 60 '^[1-9]' jp "pod bad-hook -n $NS" '{.status.containerStatuses[0].restartCount}'
ok k get pod bad-hook -n "$NS" -o jsonpath='{.status.containerStatuses[0].ready}'
expect_eq "$LAST_OUT" "false"
