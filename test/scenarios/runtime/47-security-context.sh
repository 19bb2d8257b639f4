#!/usr/bin/env bash
# kubernetes.io "Configure a Security Context for a Pod or Container": runAsUser/Group,
# fsGroup on volumes, container overrides, capabilities, readOnlyRootFilesystem,
# allowPrivilegeEscalation, runAsNonRoot, seccomp RuntimeDefault.
# (the docs use busybox:1.28, node-hello and agnhost images; offline only `busybox` exists)
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns secctx

f=$(manifest sec.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: security-context-demo}
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
    supplementalGroups: [4000]
  volumes:
  - name: sec-ctx-vol
    emptyDir: {}
  containers:
  - name: sec-ctx-demo
    image: busybox
    command: [ "sh", "-c", "sleep 1h" ]
    volumeMounts:
    - name: sec-ctx-vol
      mountPath: /data/demo
    securityContext:
      allowPrivilegeEscalation: false
---
apiVersion: v1
kind: Pod
metadata: {name: security-context-demo-2}
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    runAsUser: 1000
  containers:
  - name: sec-ctx-demo-2
    image: busybox
    command: [ "sh", "-c", "sleep 1h" ]
    securityContext:
      runAsUser: 2000
      allowPrivilegeEscalation: false
---
apiVersion: v1
kind: Pod
metadata: {name: security-context-demo-3}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: sec-ctx-3
    image: busybox
    command: [ "sh", "-c", "sleep 1h" ]
---
apiVersion: v1
kind: Pod
metadata: {name: security-context-demo-4}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: sec-ctx-4
    image: busybox
    command: [ "sh", "-c", "sleep 1h" ]
    securityContext:
      capabilities:
        add: ["NET_ADMIN", "SYS_TIME"]
---
apiVersion: v1
kind: Pod
metadata: {name: hardened}
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: c
    image: busybox
    command: [ "sh", "-c", "sleep 1h" ]
    securityContext:
      readOnlyRootFilesystem: true
      capabilities: {drop: ["ALL"]}
    volumeMounts: [{name: tmp, mountPath: /tmp}]
  volumes: [{name: tmp, emptyDir: {}}]
---
apiVersion: v1
kind: Pod
metadata: {name: nonroot}
spec:
  containers:
  - name: c
    image: busybox
    command: [ "sh", "-c", "sleep 1h" ]
    securityContext: {runAsNonRoot: true}
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/security-context-demo pod/security-context-demo-2 pod/security-context-demo-3 pod/security-context-demo-4 pod/hardened -n "$NS" --timeout=90s

ok k exec security-context-demo -n "$NS" -- ps
expect_match "$LAST_OUT" $'\n +1 1000 +([0-9:]+ +)?sleep 1h' "(Debian busybox ps has no TIME column)"
ok k exec security-context-demo -n "$NS" -- sh -c 'cd /data; ls -ln | grep demo'
expect_match "$LAST_OUT" '^drwxrwsrwx +[0-9]+ 0 +2000 .* demo$'
ok k exec security-context-demo -n "$NS" -- sh -c 'cd /data/demo; echo hello > testfile; ls -ln testfile'
expect_match "$LAST_OUT" '^-rw-r--r-- +1 1000 +2000 +6 .* testfile$'
ok k exec security-context-demo -n "$NS" -- id
expect_match "$LAST_OUT" '^uid=1000 gid=3000 groups=' 
expect_match "$LAST_OUT" 'groups=.*\b2000\b'
expect_match "$LAST_OUT" 'groups=.*\b4000\b'
ok k exec security-context-demo -n "$NS" -- grep NoNewPrivs /proc/1/status
expect_match "$LAST_OUT" 'NoNewPrivs:[[:space:]]+1'

ok k exec security-context-demo-2 -n "$NS" -- ps aux
expect_match "$LAST_OUT" $'\n +1 2000 +([0-9:]+ +)?sleep 1h'

ok k exec security-context-demo-3 -n "$NS" -- grep -E '^Cap(Prm|Eff)' /proc/1/status
expect_eq "$LAST_OUT" $'CapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb'
ok k exec security-context-demo-4 -n "$NS" -- grep -E '^Cap(Prm|Eff)' /proc/1/status
expect_eq "$LAST_OUT" $'CapPrm:\t00000000aa0435fb\nCapEff:\t00000000aa0435fb'

refused k exec hardened -n "$NS" -- touch /should-fail
expect_contains "$LAST_OUT$LAST_ERR" "Read-only file system"
ok k exec hardened -n "$NS" -- sh -c 'touch /tmp/ok && echo writable'
expect_eq "$LAST_OUT" "writable"
ok k exec hardened -n "$NS" -- grep -E '^(CapEff|Seccomp):' /proc/1/status
expect_eq "$LAST_OUT" $'CapEff:\t0000000000000000\nSeccomp:\t2'

wait_for 60 "CreateContainerConfigError" jp "pod nonroot -n $NS" '{.status.containerStatuses[0].state.waiting.reason}'
ok k get pod nonroot -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.waiting.message}'
expect_eq "$LAST_OUT" "container has runAsNonRoot and image will run as root (pod: \"nonroot_$NS($(jp "pod nonroot -n $NS" '{.metadata.uid}'))\", container: c)"
