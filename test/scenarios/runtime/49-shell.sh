#!/usr/bin/env bash
# kubernetes.io "Get a Shell to a Running Container": exec commands, an interactive shell
# with a TTY, exec into one container of several, the command's exit status.
# (the docs use nginx; offline only `busybox` exists: busybox httpd serves /usr/share/nginx/html)
# needs: runtime
# timeout: 120
source "${SCENARIO_LIB:?}"
new_ns shell

f=$(manifest shell-demo.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: shell-demo}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: shared-data
    emptyDir: {}
  containers:
  - name: nginx
    image: busybox
    command: [sh, -c, "httpd -f -p 80 -h /usr/share/nginx/html"]
    volumeMounts:
    - name: shared-data
      mountPath: /usr/share/nginx/html
  - name: sidecar
    image: busybox
    command: [sleep, "3600"]
  hostNetwork: false
  dnsPolicy: Default
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/shell-demo -n "$NS" --timeout=60s
ok k get pod shell-demo -n "$NS"
expect_match "$LAST_OUT" 'shell-demo +2/2 +Running +0 '

ok k exec shell-demo -n "$NS" -c nginx -- ls /
expect_contains "$LAST_OUT" $'bin\ndev\netc'
ok k exec shell-demo -n "$NS" -c nginx -- sh -c "echo 'Hello shell demo' > /usr/share/nginx/html/index.html"
ok k exec shell-demo -n "$NS" -c nginx -- wget -qO- http://localhost/
expect_eq "$LAST_OUT" "Hello shell demo"
# without -c kubectl picks the first container and says so on stderr
ok k exec shell-demo -n "$NS" -- hostname
expect_eq "$LAST_OUT" "shell-demo"
expect_contains "$LAST_ERR" 'Defaulted container "nginx" out of: nginx, sidecar'
refused k exec shell-demo -n "$NS" -c sidecar -- ls /usr/share/nginx/html

# an interactive shell with a TTY (script(1) gives kubectl a terminal)
run script -qec "kubectl exec -it shell-demo -n $NS -c nginx -- sh -c 'tty; cat /usr/share/nginx/html/index.html; exit 3'" /dev/null
rc=$?
expect_match "$LAST_OUT" '/dev/pts/[0-9]+'
expect_contains "$LAST_OUT" "Hello shell demo"
[ $rc -eq 3 ] || fail "exec -it should end with the shell's status: got $rc"
# stdin to an interactive shell
run bash -c "printf 'echo from-stdin \$((6*7))\nexit\n' | kubectl exec -i shell-demo -n $NS -c nginx -- sh"
expect_eq "$LAST_OUT" "from-stdin 42"

# exit status and errors
run k exec shell-demo -n "$NS" -c nginx -- sh -c 'exit 42'
rc=$?
[ $rc -eq 42 ] || fail "exit status should pass through: got $rc"
expect_contains "$LAST_ERR" "command terminated with exit code 42"
refused k exec shell-demo -n "$NS" -c nginx -- no-such-binary
expect_contains "$LAST_ERR" 'executable file not found in $PATH'
refused k exec shell-demo -n "$NS" -c nope -- ls
expect_contains "$LAST_ERR" 'container nope is not valid for pod shell-demo'
refused k exec no-such-pod -n "$NS" -- ls
expect_contains "$LAST_ERR" 'pods "no-such-pod" not found'
