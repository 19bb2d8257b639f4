#!/usr/bin/env bash
# kubectl set image/env/resources/selector/serviceaccount/subject, kubectl scale (incl.
# --current-replicas, several objects, -l/--all, every scalable kind) and the /scale
# subresource, and kubectl autoscale.
# needs: api
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns setsc

ok k create deployment web --image=busybox -n "$NS"
ok k set image deployment/web busybox=busybox:1.36 -n "$NS"
expect_eq "$LAST_OUT" "deployment.apps/web image updated"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].image}'
expect_eq "$LAST_OUT" "busybox:1.36"
ok k set image deployment/web '*=busybox:1.35' -n "$NS"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].image}'
expect_eq "$LAST_OUT" "busybox:1.35"
refused k set image deployment/web nosuch=busybox -n "$NS"
expect_contains "$LAST_ERR" 'unable to find container named "nosuch"'
ok k set image deployment/web busybox=busybox:1.34 -n "$NS" --dry-run=server
expect_eq "$LAST_OUT" "deployment.apps/web image updated (server dry run)"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].image}'
expect_eq "$LAST_OUT" "busybox:1.35"

ok k set env deployment/web A=1 B='two words' -n "$NS"
expect_eq "$LAST_OUT" "deployment.apps/web env updated"
ok k set env deployment/web --list -n "$NS"
expect_eq "$LAST_OUT" $'# Deployment web, container busybox\nA=1\nB=two words'
ok k set env deployment/web A- -n "$NS"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].env[*].name}'
expect_eq "$LAST_OUT" "B"
ok k create configmap cfg --from-literal=mode=fast -n "$NS"
ok k create secret generic sec --from-literal=password=pw -n "$NS"
ok k set env deployment/web --from=configmap/cfg -n "$NS"
ok k set env deployment/web --from=secret/sec --prefix=DB_ -n "$NS"
ok k get deploy web -n "$NS" -o jsonpath='{range .spec.template.spec.containers[0].env[*]}{.name}:{.valueFrom.configMapKeyRef.name}{.valueFrom.secretKeyRef.name}/{.valueFrom.configMapKeyRef.key}{.valueFrom.secretKeyRef.key} {end}'
expect_eq "$LAST_OUT" "B:/ MODE:cfg/mode DB_PASSWORD:sec/password "

ok k set resources deployment web -c=busybox --limits=cpu=200m,memory=512Mi --requests=cpu=100m,memory=256Mi -n "$NS"
expect_eq "$LAST_OUT" "deployment.apps/web resource requirements updated"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].resources}'
expect_eq "$LAST_OUT" '{"limits":{"cpu":"200m","memory":"512Mi"},"requests":{"cpu":"100m","memory":"256Mi"}}'
refused k set resources deployment web --requests=cpu=300m -n "$NS"
expect_contains "$LAST_ERR" 'spec.template.spec.containers[0].resources.requests: Invalid value: "300m": must be less than or equal to cpu limit'
ok k set resources deployment web --limits=cpu=0.5 --requests=cpu=0.25 -n "$NS"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.containers[0].resources.limits.cpu} {.spec.template.spec.containers[0].resources.requests.cpu}'
expect_eq "$LAST_OUT" "500m 250m" "quantities come back canonical"

ok k create serviceaccount robot -n "$NS"
ok k set serviceaccount deployment web robot -n "$NS"
expect_eq "$LAST_OUT" "deployment.apps/web serviceaccount updated"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.template.spec.serviceAccountName}'
expect_eq "$LAST_OUT" "robot"

ok k create service clusterip web --tcp=80:80 -n "$NS"
ok k set selector service web 'app=other,tier=fe' -n "$NS"
expect_eq "$LAST_OUT" "service/web selector updated"
ok k get svc web -n "$NS" -o jsonpath='{.spec.selector}'
expect_eq "$LAST_OUT" '{"app":"other","tier":"fe"}'

ok k create rolebinding rb --clusterrole=view --user=alice -n "$NS"
ok k set subject rolebinding rb --user=bob --serviceaccount="$NS:robot" -n "$NS"
expect_eq "$LAST_OUT" "rolebinding.rbac.authorization.k8s.io/rb subjects updated"
ok k get rolebinding rb -n "$NS" -o jsonpath='{.subjects[*].name}'
expect_eq "$LAST_OUT" "alice bob robot"

# a pod's image may change, other container fields may not
ok k run p --image=busybox -n "$NS"
ok k set image pod/p p=busybox:1.36 -n "$NS"
expect_eq "$LAST_OUT" "pod/p image updated"
refused k set env pod/p X=1 -n "$NS"
expect_contains "$LAST_ERR" 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`'

# --- scale -------------------------------------------------------------------------------
ok k scale deployment web --replicas=3 -n "$NS"
expect_eq "$LAST_OUT" "deployment.apps/web scaled"
ok k get deploy web -n "$NS" -o jsonpath='{.spec.replicas}'
expect_eq "$LAST_OUT" "3"
ok k scale deployment web --current-replicas=3 --replicas=4 -n "$NS"
refused k scale deployment web --current-replicas=3 --replicas=5 -n "$NS"
expect_contains "$LAST_ERR" "Expected replicas to be 3, was 4"
ok k get --raw "/apis/apps/v1/namespaces/$NS/deployments/web/scale"
expect_contains "$LAST_OUT" '"kind":"Scale","apiVersion":"autoscaling/v1"'
expect_contains "$LAST_OUT" '"spec":{"replicas":4}'
expect_contains "$LAST_OUT" '"selector":"app=web"'
ok k create deployment two --image=busybox -n "$NS"
ok k scale deployment/web deployment/two --replicas=2 -n "$NS"
expect_eq "$LAST_OUT" $'deployment.apps/web scaled\ndeployment.apps/two scaled'
ok k label deploy two web tier=x -n "$NS"
ok k scale deployment -l tier=x --replicas=0 -n "$NS"
ok k get deploy -n "$NS" -o jsonpath='{range .items[*]}{.metadata.name}={.spec.replicas} {end}'
expect_eq "$LAST_OUT" "two=0 web=0 "
ok k scale deployment --all --replicas=1 -n "$NS"
ok k get deploy -n "$NS" -o jsonpath='{range .items[*]}{.spec.replicas}{end}'
expect_eq "$LAST_OUT" "11"

ok k apply -n "$NS" -f - <<'YAML'
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  replicas: 1
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  replicas: 1
  selector: {app: rc}
  template:
    metadata: {labels: {app: rc}}
    spec: {containers: [{name: c, image: busybox}]}
YAML
ok k scale statefulset db --replicas=2 -n "$NS"
expect_eq "$LAST_OUT" "statefulset.apps/db scaled"
ok k scale rs rs --replicas=2 -n "$NS"
expect_eq "$LAST_OUT" "replicaset.apps/rs scaled"
ok k scale rc rc --replicas=2 -n "$NS"
expect_eq "$LAST_OUT" "replicationcontroller/rc scaled"
ok k get sts db -n "$NS" -o jsonpath='{.spec.replicas}'
expect_eq "$LAST_OUT" "2"
ok k get --raw "/apis/apps/v1/namespaces/$NS/statefulsets/db/scale"
expect_contains "$LAST_OUT" '"selector":"app=db"'
ok k get --raw "/api/v1/namespaces/$NS/replicationcontrollers/rc/scale"
expect_contains "$LAST_OUT" '"spec":{"replicas":2}'
expect_contains "$LAST_OUT" '"selector":"app=rc"'
refused k scale configmap cfg --replicas=2 -n "$NS"
refused k get --raw "/apis/apps/v1/namespaces/$NS/deployments/nosuch/scale"
expect_contains "$LAST_ERR" 'deployments.apps "nosuch" not found'

# --- autoscale ---------------------------------------------------------------------------
ok k autoscale deployment web --min=2 --max=5 --cpu-percent=80 -n "$NS"
expect_eq "$LAST_OUT" "horizontalpodautoscaler.autoscaling/web autoscaled"
ok k get hpa web -n "$NS" -o jsonpath='{.spec.minReplicas} {.spec.maxReplicas} {.spec.scaleTargetRef.kind}/{.spec.scaleTargetRef.name} {.spec.metrics[0].resource.target.averageUtilization}'
expect_eq "$LAST_OUT" "2 5 Deployment/web 80"
ok k get hpa -n "$NS"
expect_match "$(head -1 <<<"$LAST_OUT")" '^NAME +REFERENCE +TARGETS +MINPODS +MAXPODS +REPLICAS +AGE$'
expect_match "$LAST_OUT" 'web +Deployment/web +(cpu: )?<unknown>/80% +2 +5 +0 +[0-9]+s'
