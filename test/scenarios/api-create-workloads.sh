#!/usr/bin/env bash
# kubectl create deployment / job / cronjob (incl. job --from=cronjob): what kubectl sends,
# what the server defaults, the tables, and validation errors.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns cwl

# --- deployment --------------------------------------------------------------------------
ok k create deployment web --image=busybox --replicas=3 --port=8080 -n "$NS" --dry-run=client -o yaml
expect_contains "$LAST_OUT" "replicas: 3"
expect_contains "$LAST_OUT" "containerPort: 8080"
ok k create deployment web --image=busybox --replicas=3 --port=8080 -n "$NS" --dry-run=server -o yaml
expect_contains "$LAST_OUT" "progressDeadlineSeconds: 600"
expect_contains "$LAST_OUT" "revisionHistoryLimit: 10"
refused k get deploy web -n "$NS"
ok k create deployment web --image=busybox --replicas=3 --port=8080 -n "$NS"
expect_eq "$LAST_OUT" "deployment.apps/web created"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.metadata.labels.app} {.spec.template.spec.containers[0].name} {.spec.template.spec.containers[0].ports[0].containerPort} {.spec.template.spec.containers[0].ports[0].protocol}'
expect_eq "$LAST_OUT" "3 web web busybox 8080 TCP"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.strategy.type} {.spec.strategy.rollingUpdate.maxSurge} {.spec.strategy.rollingUpdate.maxUnavailable} {.spec.revisionHistoryLimit} {.spec.progressDeadlineSeconds}'
expect_eq "$LAST_OUT" "RollingUpdate 25% 25% 10 600" "deployment defaults"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.restartPolicy} {.spec.template.spec.dnsPolicy} {.spec.template.spec.schedulerName} {.spec.template.spec.terminationGracePeriodSeconds} {.spec.template.spec.securityContext}'
expect_eq "$LAST_OUT" "Always ClusterFirst default-scheduler 30 {}" "pod template defaults"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].imagePullPolicy} {.spec.template.spec.containers[0].terminationMessagePath} {.spec.template.spec.containers[0].terminationMessagePolicy}'
expect_eq "$LAST_OUT" "Always /dev/termination-log File" "container defaults (untagged image pulls Always)"
ok k get deploy web -n "$NS" -o jsonpath='{.metadata.generation}'
expect_eq "$LAST_OUT" "1"
ok k get deploy -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +READY +UP-TO-DATE +AVAILABLE +AGE$'
ok k get deploy web -n "$NS" -o wide
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +READY +UP-TO-DATE +AVAILABLE +AGE +CONTAINERS +IMAGES +SELECTOR$'
expect_match "$LAST_OUT" 'web +0/3 +[0-9]+ +0 +[0-9]+s +busybox +busybox +app=web$'
ok k create deployment tagged --image=busybox:1.36 -n "$NS"
ok k get deploy tagged -n "$NS" -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].imagePullPolicy}'
expect_eq "$LAST_OUT" "1 IfNotPresent" "a tagged image pulls IfNotPresent; replicas default to 1"

# selector must match the template; the selector is immutable
f=$(manifest mismatch.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: mismatch}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: c, image: busybox}]}
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'The Deployment "mismatch" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`'
refused k patch deploy web -n "$NS" --type=merge -p '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}'
expect_contains "$LAST_ERR" 'spec.selector: Invalid value:'
expect_contains "$LAST_ERR" 'field is immutable'
refused k patch deploy web -n "$NS" --type=merge -p '{"spec":{"replicas":-1}}'
expect_contains "$LAST_ERR" 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'

# --- job ---------------------------------------------------------------------------------
ok k create job once --image=busybox -n "$NS" -- echo hi
expect_eq "$LAST_OUT" "job.batch/once created"
ok k get job once -n "$NS" -o jsonpath='{.spec.template.spec.restartPolicy} {.spec.template.spec.containers[0].name} {.spec.template.spec.containers[0].command}'
expect_eq "$LAST_OUT" 'Never once ["echo","hi"]'
ok k get job once -n "$NS" -o jsonpath='{.spec.completions} {.spec.parallelism} {.spec.backoffLimit} {.spec.completionMode} {.spec.suspend} {.spec.podReplacementPolicy} {.spec.manualSelector}'
expect_eq "$LAST_OUT" "1 1 6 NonIndexed false TerminatingOrFailed " "job defaults"
uid=$(jp "job once -n $NS" '{.metadata.uid}')
ok k get job once -n "$NS" -o jsonpath='{.spec.selector.matchLabels.batch\.kubernetes\.io/controller-uid} {.spec.template.metadata.labels.batch\.kubernetes\.io/job-name} {.spec.template.metadata.labels.job-name} {.spec.template.metadata.labels.controller-uid}'
expect_eq "$LAST_OUT" "$uid once once $uid" "the server generates the job's selector and template labels"
ok k get job once -n "$NS" -o jsonpath='{.metadata.labels.batch\.kubernetes\.io/job-name} {.metadata.labels.job-name}'
expect_eq "$LAST_OUT" "once once" "the job's own labels come from its template"
ok k get jobs -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +STATUS +COMPLETIONS +DURATION +AGE$'
expect_match "$LAST_OUT" $'\nonce +Running +0/1 +'
ok k get jobs -n "$NS" -o wide
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +STATUS +COMPLETIONS +DURATION +AGE +CONTAINERS +IMAGES +SELECTOR$'
expect_match "$LAST_OUT" "once .* +once +busybox +batch.kubernetes.io/controller-uid=$uid\$"
# a job's template is immutable (apart from a suspended job's scheduling directives)
refused k patch job once -n "$NS" --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"busybox:1.36"}]'
expect_contains "$LAST_ERR" 'spec.template: Invalid value:'
expect_contains "$LAST_ERR" 'field is immutable'
f=$(manifest susp.yaml <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: susp}
spec:
  suspend: true
  completions: 3
  parallelism: 2
  template:
    spec:
      restartPolicy: OnFailure
      containers: [{name: c, image: busybox}]
YAML
)
ok k create -f "$f" -n "$NS"
f=$(manifest badjob.yaml <<'YAML'
apiVersion: batch/v1
kind: Job
metadata: {name: badjob}
spec:
  template:
    spec:
      restartPolicy: Always
      containers: [{name: c, image: busybox}]
YAML
)
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'

# --- cronjob -----------------------------------------------------------------------------
ok k create cronjob tick --image=busybox --schedule="*/5 * * * *" -n "$NS" -- date
expect_eq "$LAST_OUT" "cronjob.batch/tick created"
ok k get cj tick -n "$NS" -o jsonpath='{.spec.schedule}|{.spec.concurrencyPolicy}|{.spec.suspend}|{.spec.successfulJobsHistoryLimit}|{.spec.failedJobsHistoryLimit}|{.spec.jobTemplate.spec.template.spec.restartPolicy}'
expect_eq "$LAST_OUT" "*/5 * * * *|Allow|false|3|1|OnFailure" "cronjob defaults"
ok k get cronjobs -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +SCHEDULE +TIMEZONE +SUSPEND +ACTIVE +LAST SCHEDULE +AGE$'
expect_match "$LAST_OUT" $'\n''tick +\*/5 \* \* \* \* +<none> +False +0 +<none> +[0-9]+s'
f=$(manifest tz.yaml <<'YAML'
apiVersion: batch/v1
kind: CronJob
metadata: {name: tz}
spec:
  schedule: "0 3 * * *"
  timeZone: Etc/UTC
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
YAML
)
ok k create -f "$f" -n "$NS"
ok k get cj tz -n "$NS" --no-headers
expect_match "$LAST_OUT" '^tz +0 3 \* \* \* +Etc/UTC +True +0 +<none> +[0-9]+s$'
sed -i 's#Etc/UTC#Mars/Olympus_Mons#; s/name: tz/name: badtz/' "$f"
refused k create -f "$f" -n "$NS"
expect_contains "$LAST_ERR" 'spec.timeZone: Invalid value: "Mars/Olympus_Mons"'
refused k create cronjob badsched --image=busybox --schedule="not a schedule" -n "$NS"
expect_contains "$LAST_ERR" 'spec.schedule: Invalid value: "not a schedule"'

ok k create job manual --from=cronjob/tick -n "$NS"
expect_eq "$LAST_OUT" "job.batch/manual created"
ok k get job manual -n "$NS" -o jsonpath='{.metadata.annotations.cronjob\.kubernetes\.io/instantiate} {.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.spec.template.spec.containers[0].command}'
expect_eq "$LAST_OUT" 'manual CronJob tick ["date"]'

# --- what the controllers add ------------------------------------------------------------
# the deployment controller stamps a revision and reports replicas (pods stay Pending)
wait_for 30 "1" jp "deploy web -n $NS" '{.metadata.annotations.deployment\.kubernetes\.io/revision}'
wait_match 30 '^web +0/3 +3 +0 +[0-9]+s$' k get deploy web -n "$NS" --no-headers
# the job controller marks a suspended job
wait_match 30 '^susp +Suspended +0/3 ' k get job susp -n "$NS" --no-headers
