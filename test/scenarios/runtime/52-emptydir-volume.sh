#!/usr/bin/env bash
# kubernetes.io "Configure a Pod to Use a Volume for Storage": an emptyDir outlives a
# container restart; medium Memory is a tmpfs sized by sizeLimit; containers share it.
# (the docs use redis and kill the redis process; offline only `busybox` exists: a shell
# loop that exits on TERM stands in for redis)
# needs: runtime
# timeout: 120
source "${SCENARIO_LIB:?}"
new_ns emptydir

f=$(manifest redis.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: redis}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: redis
    image: busybox
    command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]
    volumeMounts:
    - name: redis-storage
      mountPath: /data/redis
    - name: cache
      mountPath: /cache
  - name: reader
    image: busybox
    command: [sleep, "3600"]
    volumeMounts:
    - name: redis-storage
      mountPath: /shared
  volumes:
  - name: redis-storage
    emptyDir: {}
  - name: cache
    emptyDir: {medium: Memory, sizeLimit: 64Mi}
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/redis -n "$NS" --timeout=60s
ok k exec redis -n "$NS" -c redis -- sh -c 'cd /data/redis/ && echo Hello > test-file && ls'
expect_eq "$LAST_OUT" "test-file"
ok k exec redis -n "$NS" -c reader -- cat /shared/test-file
expect_eq "$LAST_OUT" "Hello"
# the main process ends (as `kill <redis pid>` in the docs); the container is restarted
ok k exec redis -n "$NS" -c redis -- kill 1
wait_for 60 "1" jp "pod redis -n $NS" '{.status.containerStatuses[?(@.name=="redis")].restartCount}'
ok k wait --for=condition=Ready pod/redis -n "$NS" --timeout=60s
ok k exec redis -n "$NS" -c redis -- sh -c 'cd /data/redis/ && ls && cat test-file'
expect_eq "$LAST_OUT" $'test-file\nHello'
ok k get pod redis -n "$NS" -o jsonpath='{.status.containerStatuses[?(@.name=="redis")].lastState.terminated.reason}/{.status.containerStatuses[?(@.name=="redis")].lastState.terminated.exitCode}'
expect_eq "$LAST_OUT" "Completed/0"

# medium Memory: tmpfs, as large as sizeLimit
ok k exec redis -n "$NS" -c redis -- sh -c 'grep " /cache " /proc/mounts | cut -d" " -f3; df -k /cache | tail -1'
expect_match "$LAST_OUT" $'^tmpfs\n[^ ]+ +65536 '
ok k exec redis -n "$NS" -c redis -- sh -c 'grep " /data/redis " /proc/mounts | cut -d" " -f3'
expect_not_contains "$LAST_OUT" "tmpfs"
