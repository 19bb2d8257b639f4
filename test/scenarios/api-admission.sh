#!/usr/bin/env bash
# The default admission chain as a kubeadm cluster has it: ServiceAccount (token volume,
# missing account), DefaultTolerationSeconds, Priority, LimitRanger defaults, ResourceQuota
# refusal, and Pod Security Admission levels on namespace labels.
# needs: api,policy
# timeout: 60
source "${SCENARIO_LIB:?}"
new_ns adm

ok k run p --image=busybox -n "$NS"
ok k get pod p -n "$NS" -o jsonpath='{.spec.serviceAccountName} {.spec.containers[0].volumeMounts[0].mountPath} {.spec.containers[0].volumeMounts[0].readOnly}'
expect_eq "$LAST_OUT" "default /var/run/secrets/kubernetes.io/serviceaccount true"
ok k get pod p -n "$NS" -o jsonpath='{.spec.volumes[0].name}|{.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds}|{.spec.volumes[0].projected.sources[0].serviceAccountToken.path}|{.spec.volumes[0].projected.sources[1].configMap.name}|{.spec.volumes[0].projected.sources[2].downwardAPI.items[0].fieldRef.fieldPath}|{.spec.volumes[0].projected.defaultMode}'
expect_match "$LAST_OUT" '^kube-api-access-[a-z0-9]{5}\|3607\|token\|kube-root-ca.crt\|metadata.namespace\|420$'
ok k get pod p -n "$NS" -o jsonpath='{range .spec.tolerations[*]}{.key}:{.operator}:{.effect}:{.tolerationSeconds} {end}'
expect_eq "$LAST_OUT" "node.kubernetes.io/not-ready:Exists:NoExecute:300 node.kubernetes.io/unreachable:Exists:NoExecute:300 "
ok k get pod p -n "$NS" -o jsonpath='{.spec.priority} {.spec.enableServiceLinks} {.spec.preemptionPolicy}'
expect_eq "$LAST_OUT" "0 true PreemptLowerPriority"
ok k describe pod p -n "$NS"
expect_match "$LAST_OUT" 'Tolerations: +node.kubernetes.io/not-ready:NoExecute op=Exists for 300s'
expect_match "$LAST_OUT" 'TokenExpirationSeconds: +3607'

ok k apply -n "$NS" -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: nomount}
spec:
  automountServiceAccountToken: false
  priorityClassName: system-cluster-critical
  containers: [{name: c, image: busybox}]
YAML
ok k get pod nomount -n "$NS" -o jsonpath='{.spec.volumes}|{.spec.priority}'
expect_eq "$LAST_OUT" "|2000000000"
refused k apply -n "$NS" -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: nosa}
spec:
  serviceAccountName: nosuch
  containers: [{name: c, image: busybox}]
YAML
expect_contains "$LAST_ERR" 'pods "nosa" is forbidden: error looking up service account'
expect_contains "$LAST_ERR" 'serviceaccount "nosuch" not found'
refused k apply -n "$NS" -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: nopc}
spec:
  priorityClassName: nosuch-class
  containers: [{name: c, image: busybox}]
YAML
expect_contains "$LAST_ERR" 'pods "nopc" is forbidden: no PriorityClass with name nosuch-class was found'

# LimitRanger fills in requests and limits
ok k apply -n "$NS" -f - <<'YAML'
apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
    max: {cpu: "1"}
YAML
ok k run limited --image=busybox -n "$NS"
ok k get pod limited -n "$NS" -o jsonpath='{.spec.containers[0].resources}'
expect_eq "$LAST_OUT" '{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}}'
ok k get pod limited -n "$NS" -o jsonpath='{.metadata.annotations.kubernetes\.io/limit-ranger}'
expect_eq "$LAST_OUT" "LimitRanger plugin set: cpu, memory request for container limited; cpu, memory limit for container limited"
ok k get pod limited -n "$NS" -o jsonpath='{.status.qosClass}'
expect_eq "$LAST_OUT" "Burstable"
refused k run big --image=busybox -n "$NS" --overrides='{"spec":{"containers":[{"name":"big","image":"busybox","resources":{"limits":{"cpu":"2"}}}]}}'
expect_contains "$LAST_ERR" 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2'

# ResourceQuota refuses what exceeds it
ok k create quota pods-2 --hard=pods=3 -n "$NS"
wait_match 30 'pods: [0-9]+/3' k get quota pods-2 -n "$NS" --no-headers
refused k run over --image=busybox -n "$NS"
expect_contains "$LAST_ERR" 'pods "over" is forbidden: exceeded quota: pods-2, requested: pods=1, used: pods=3, limited: pods=3'

# Pod Security Admission
ps="psa-$RANDOM$RANDOM"
ok k create namespace "$ps"
defer k delete namespace "$ps" --wait=false
ok k label namespace "$ps" pod-security.kubernetes.io/enforce=restricted
refused k run bare --image=busybox -n "$ps"
expect_contains "$LAST_ERR" 'pods "bare" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "bare" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "bare" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "bare" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "bare" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
ok k apply -n "$ps" -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: good}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: c
    image: busybox
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
YAML
ok k label namespace "$ps" pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/warn=restricted --overwrite
ok k run warned --image=busybox -n "$ps"
expect_contains "$LAST_ERR" 'Warning: would violate PodSecurity "restricted:latest"'
refused k run priv --image=busybox -n "$ps" --overrides='{"spec":{"containers":[{"name":"priv","image":"busybox","securityContext":{"privileged":true}}]}}'
expect_contains "$LAST_ERR" 'violates PodSecurity "baseline:latest": privileged (container "priv" must not set securityContext.privileged=true)'
ok k label namespace "$ps" pod-security.kubernetes.io/enforce=restricted --overwrite
expect_contains "$LAST_ERR" 'Warning: existing pods in namespace "'"$ps"'" violate the new PodSecurity enforce level "restricted:latest"'
