#!/usr/bin/env bash
# kubectl debug: ephemeral containers (--target shares the target container's processes;
# never restarted; status, logs and attach), a copy of the pod with a shared process
# namespace (--copy-to --share-processes), and a node debugging pod (host namespaces, the
# host's root at /host). Commands go in on stdin, held open until the shell exits (with
# stdinOnce unset the runtime ends the attach's output when its stdin closes).
# needs: runtime
# timeout: 200
source "${SCENARIO_LIB:?}"
new_ns dbg

ok k run web --image=busybox -n "$NS" -- sleep 3600
ok k wait --for=condition=Ready pod/web -n "$NS" --timeout=90s

# a non-interactive debug container in the target's PID namespace
ok k debug web -n "$NS" --image=busybox --target=web --container=peek -- sh -c 'ps -o args; echo peek-done'
expect_contains "$LAST_OUT$LAST_ERR" 'Targeting container "web"'
wait_for 60 "0" jp "pod web -n $NS" '{.status.ephemeralContainerStatuses[?(@.name=="peek")].state.terminated.exitCode}'
ok k logs web -n "$NS" -c peek
expect_match "$LAST_OUT" $'(^|\n)sleep 3600(\n|$)' "the target's process is visible"
expect_contains "$LAST_OUT" "peek-done"
ok k get pod web -n "$NS" -o jsonpath='{.status.ephemeralContainerStatuses[?(@.name=="peek")].state.terminated.reason} {.status.ephemeralContainerStatuses[?(@.name=="peek")].ready} {.spec.ephemeralContainers[0].targetContainerName}'
expect_eq "$LAST_OUT" "Completed false web"
sleep 3
ok k get pod web -n "$NS" -o jsonpath='{.status.ephemeralContainerStatuses[?(@.name=="peek")].restartCount} {.status.ephemeralContainerStatuses[?(@.name=="peek")].state.terminated.reason} {.status.containerStatuses[0].restartCount} {.status.phase}'
expect_eq "$LAST_OUT" "0 Completed 0 Running" "an ephemeral container is never restarted; the pod runs on"

# debugging profiles: general adds SYS_PTRACE, sysadmin runs privileged (in an unprivileged pod)
ok k debug web -n "$NS" --image=busybox --target=web --profile=general --container=gen -- sh -c 'grep CapEff /proc/self/status'
ok k debug web -n "$NS" --image=busybox --profile=sysadmin --container=adm -- sh -c 'grep CapEff /proc/self/status'
wait_for 60 "0 0" jp "pod web -n $NS" '{.status.ephemeralContainerStatuses[?(@.name=="gen")].state.terminated.exitCode} {.status.ephemeralContainerStatuses[?(@.name=="adm")].state.terminated.exitCode}'
ok k logs web -n "$NS" -c adm
expect_match "$LAST_OUT" $'^CapEff:\t0000[0-9a-f]*ffffff$' "privileged: every capability"

# interactive: kubectl debug -i attaches to the new container
run bash -c "(echo 'echo hello-\$((6*7)); ps -o args | grep -c \"^sleep 3600\"; exit 0'; sleep 8) | kubectl debug -i web -n $NS --image=busybox --target=web --container=shell -- sh"
expect_match "$LAST_OUT" $'hello-42\n1' "debug -i output"
wait_for 30 "Completed" jp "pod web -n $NS" '{.status.ephemeralContainerStatuses[?(@.name=="shell")].state.terminated.reason}'

# attach to an ephemeral container started without attaching
ok k debug web -n "$NS" --image=busybox -i --attach=false --container=later -- sh
wait_match 60 'running' jp "pod web -n $NS" '{.status.ephemeralContainerStatuses[?(@.name=="later")].state}'
run bash -c "(echo 'echo attached-\$((1+2)); exit 4'; sleep 8) | kubectl attach web -n $NS -c later -i"
expect_contains "$LAST_OUT" "attached-3"
wait_for 30 "4" jp "pod web -n $NS" '{.status.ephemeralContainerStatuses[?(@.name=="later")].state.terminated.exitCode}'
ok k get pod web -n "$NS" -o jsonpath='{range .status.ephemeralContainerStatuses[*]}{.name}{" "}{end}'
expect_eq "$LAST_OUT" "adm gen later peek shell "

# a copy of the pod whose containers share one process namespace
run bash -c "(echo 'ps -o args | grep -c \"^sleep 3600\"; echo copy-ok; exit 0'; sleep 8) | kubectl debug web -n $NS -i --copy-to=web-copy --share-processes --image=busybox --container=dbg -- sh"
expect_match "$LAST_OUT" $'1\ncopy-ok' "the copy's debug container sees the app's processes"
ok k get pod web-copy -n "$NS" -o jsonpath='{.spec.shareProcessNamespace} {.spec.containers[*].name}'
expect_eq "$LAST_OUT" "true web dbg"

# a node debugging pod: host PID/network/IPC namespaces and the host's root at /host
node=$(jp "pod web -n $NS" '{.spec.nodeName}')
hostname=$(jp "node $node" '{.status.addresses[?(@.type=="Hostname")].address}')
run bash -c "(echo 'test -d /host/proc/1 && echo host-root; hostname; exit 0'; sleep 8) | kubectl debug node/$node -n $NS -i --image=busybox"
expect_contains "$LAST_OUT" "host-root"
expect_contains "$LAST_OUT" "$hostname"
expect_contains "$LAST_OUT$LAST_ERR" "Creating debugging pod node-debugger-$node-"
pod=$(k get pods -n "$NS" -o name | grep node-debugger)
ok k get "$pod" -n "$NS" -o jsonpath='{.spec.hostPID} {.spec.hostNetwork} {.spec.hostIPC} {.spec.volumes[0].hostPath.path} {.status.podIP}'
expect_eq "$LAST_OUT" "true true true / $(jp "node $node" '{.status.addresses[?(@.type=="InternalIP")].address}')"
wait_for 30 "Succeeded" jp "$pod -n $NS" '{.status.phase}'
