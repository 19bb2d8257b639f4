#!/usr/bin/env bash
# kubernetes.io "Images" (image pull policy, ImagePullBackOff) and "Debug Pods": a pull that
# fails reports ErrImagePull, then ImagePullBackOff while the back-off lasts; Never with a
# missing image; an invalid image name.
# (the registry is 127.0.0.1:1, where nothing listens: the pull fails without any traffic
# leaving the machine)
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns pull

f=$(manifest pull.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: unreachable}
spec:
  containers:
  - {name: c, image: "127.0.0.1:1/nosuch/app:v1", imagePullPolicy: Always}
---
apiVersion: v1
kind: Pod
metadata: {name: never}
spec:
  containers:
  - {name: c, image: "nosuch/app:v1", imagePullPolicy: Never}
---
apiVersion: v1
kind: Pod
metadata: {name: present}
spec:
  restartPolicy: Never
  containers:
  - {name: c, image: busybox, imagePullPolicy: Never, command: ["true"]}
YAML
)
ok k apply -n "$NS" -f "$f"
wait_match 60 'ErrImagePull|ImagePullBackOff' jp "pod unreachable -n $NS" '{.status.containerStatuses[0].state.waiting.reason}'
ok k get events -n "$NS" --field-selector involvedObject.name=unreachable -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}'
expect_contains "$LAST_OUT" 'Pulling: Pulling image "127.0.0.1:1/nosuch/app:v1"'
expect_match "$LAST_OUT" 'Failed: Failed to pull image "127.0.0.1:1/nosuch/app:v1": '
expect_contains "$LAST_OUT" 'Failed: Error: ErrImagePull'
# most of the time a failing pull sits in its back-off, and says so
wait_for 90 "ImagePullBackOff" jp "pod unreachable -n $NS" '{.status.containerStatuses[0].state.waiting.reason}'
ok k get pod unreachable -n "$NS"
expect_match "$LAST_OUT" 'unreachable +0/1 +ImagePullBackOff +0 '
ok k get pod unreachable -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.waiting.message}'
expect_match "$LAST_OUT" '^Back-off pulling image "127.0.0.1:1/nosuch/app:v1"'
ok k describe pod unreachable -n "$NS"
expect_match "$LAST_OUT" 'Normal +BackOff .*Back-off pulling image "127.0.0.1:1/nosuch/app:v1"'
expect_match "$LAST_OUT" 'Warning +Failed .*Error: ImagePullBackOff'

wait_for 60 "ErrImageNeverPull" jp "pod never -n $NS" '{.status.containerStatuses[0].state.waiting.reason}'
ok k get pod never -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.waiting.message}'
expect_eq "$LAST_OUT" 'Container image "nosuch/app:v1" is not present with pull policy of Never'
wait_for 60 "Succeeded" jp "pod present -n $NS" '{.status.phase}'
ok k get events -n "$NS" --field-selector involvedObject.name=present,reason=Pulled -o jsonpath='{.items[*].message}'
expect_eq "$LAST_OUT" 'Container image "busybox" already present on machine'
