#!/usr/bin/env bash
# kubernetes.io "Communicate Between Containers in the Same Pod Using a Shared Volume" and
# "Share Process Namespace between Containers in a Pod".
# (the docs use nginx, debian and busybox:1.28; offline only `busybox` exists: busybox httpd
# stands in for nginx)
# needs: runtime
# timeout: 120
source "${SCENARIO_LIB:?}"
new_ns sharing

f=$(manifest two.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: two-containers}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  volumes:
  - name: shared-data
    emptyDir: {}
  containers:
  - name: nginx-container
    image: busybox
    command: [httpd, -f, -p, "80", -h, /usr/share/nginx/html]
    volumeMounts:
    - name: shared-data
      mountPath: /usr/share/nginx/html
  - name: debian-container
    image: busybox
    volumeMounts:
    - name: shared-data
      mountPath: /pod-data
    command: ["/bin/sh"]
    args: ["-c", "echo Hello from the debian container > /pod-data/index.html"]
---
apiVersion: v1
kind: Pod
metadata: {name: nginx}
spec:
  terminationGracePeriodSeconds: 1
  shareProcessNamespace: true
  containers:
  - name: nginx
    image: busybox
    command: [sh, -c, "mkdir -p /www; echo shared > /www/index.html; httpd -f -p 80 -h /www"]
  - name: shell
    image: busybox
    command: ["sleep", "3600"]
    securityContext:
      capabilities:
        add: [SYS_PTRACE]
    stdin: true
    tty: true
YAML
)
ok k apply -n "$NS" -f "$f"
wait_for 60 "Completed" jp "pod two-containers -n $NS" '{.status.containerStatuses[?(@.name=="debian-container")].state.terminated.reason}'
ok k get pod two-containers -n "$NS" -o jsonpath='{.status.phase}/{.status.containerStatuses[?(@.name=="nginx-container")].state.running.startedAt}'
expect_match "$LAST_OUT" '^Running/20'
ok k get pod two-containers -n "$NS"
expect_match "$LAST_OUT" 'two-containers +1/2 +NotReady +0 '
ok k exec two-containers -n "$NS" -c nginx-container -- wget -qO- localhost
expect_eq "$LAST_OUT" "Hello from the debian container"

ok k wait --for=condition=Ready pod/nginx -n "$NS" --timeout=60s
ok k exec nginx -n "$NS" -c shell -- ps ax
expect_match "$LAST_OUT" $'\n +1 [^\n]*pause'
expect_match "$LAST_OUT" 'httpd -f -p 80 -h /www'
expect_match "$LAST_OUT" 'sleep 3600'
pid=$(grep 'httpd -f' <<<"$LAST_OUT" | awk '{print $1}')
ok k exec nginx -n "$NS" -c shell -- cat /proc/$pid/root/www/index.html
expect_eq "$LAST_OUT" "shared"
ok k exec nginx -n "$NS" -c shell -- kill -HUP "$pid"
