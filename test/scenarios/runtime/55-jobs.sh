#!/usr/bin/env bash
# kubernetes.io "Jobs" (concept page examples with real containers): the pi Job and its
# logs through job/NAME, indexed completions, activeDeadlineSeconds, ttlSecondsAfterFinished,
# podFailurePolicy on exit codes.
# (the docs compute pi with perl; offline only `busybox` exists: busybox awk computes it)
# needs: runtime
# timeout: 240
source "${SCENARIO_LIB:?}"
new_ns jobs

f=$(manifest pi.yaml <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  template:
    spec:
      containers:
      - name: pi
        image: busybox
        command: ["awk", "BEGIN { s = 0; for (k = 0; k < 200000; k++) s += (k % 2 ? -4 : 4) / (2 * k + 1); printf \"%.4f\\n\", s }"]
      restartPolicy: Never
  backoffLimit: 4
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=complete job/pi -n "$NS" --timeout=90s
ok k describe job pi -n "$NS"
expect_match "$LAST_OUT" 'Pods Statuses: +0 Active \([0-9]+ Ready\) / 1 Succeeded / 0 Failed'
expect_match "$LAST_OUT" 'Normal +SuccessfulCreate +.*Created pod: pi-[a-z0-9]{5}'
expect_match "$LAST_OUT" 'Normal +Completed +.*Job completed'
pods=$(kubectl get pods -n "$NS" --selector=batch.kubernetes.io/job-name=pi --output=jsonpath='{.items[*].metadata.name}')
expect_match "$pods" '^pi-[a-z0-9]{5}$'
ok k logs "$pods" -n "$NS"
expect_eq "$LAST_OUT" "3.1416"
ok k logs job/pi -n "$NS"
expect_eq "$LAST_OUT" "3.1416"
ok k get pod "$pods" -n "$NS" -o jsonpath='{.status.phase}/{.status.containerStatuses[0].state.terminated.reason}'
expect_eq "$LAST_OUT" "Succeeded/Completed"

f=$(manifest indexed.yaml <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: indexed-job}
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: worker
        image: busybox
        command: [sh, -c, "echo item-$JOB_COMPLETION_INDEX"]
---
apiVersion: batch/v1
kind: Job
metadata: {name: deadline}
spec:
  activeDeadlineSeconds: 5
  backoffLimit: 5
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: short-lived}
spec:
  ttlSecondsAfterFinished: 5
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [echo, done]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: job-pod-failure-policy}
spec:
  completions: 1
  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes: {containerName: main, operator: In, values: [42]}
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox, command: [sh, -c, "echo failing; exit 42"]}]
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=complete job/indexed-job -n "$NS" --timeout=90s
ok k logs -n "$NS" -l batch.kubernetes.io/job-name=indexed-job
expect_eq "$(sort <<<"$LAST_OUT")" $'item-0\nitem-1\nitem-2'
ok k get pods -n "$NS" -l batch.kubernetes.io/job-name=indexed-job -o jsonpath='{range .items[*]}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index}{"\n"}{end}'
expect_eq "$(sort <<<"$LAST_OUT")" $'0\n1\n2'

ok k wait --for=condition=failed job/deadline -n "$NS" --timeout=60s
ok k get job deadline -n "$NS" -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}'
expect_eq "$LAST_OUT" "DeadlineExceeded"
wait_for 60 "" k get pods -n "$NS" -l batch.kubernetes.io/job-name=deadline --field-selector=status.phase=Running -o name

ok k wait --for=condition=failed job/job-pod-failure-policy -n "$NS" --timeout=60s
ok k get job job-pod-failure-policy -n "$NS" -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}/{.status.failed}'
expect_eq "$LAST_OUT" "PodFailurePolicy/1"

wait_for 60 "" k get job short-lived -n "$NS" -o name --ignore-not-found
