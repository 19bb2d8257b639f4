#!/usr/bin/env bash
# kubernetes.io "Configure a Pod to Use a ConfigMap": env from keys, envFrom, $(VAR) in the
# command, volumes with items, live updates of mounted ConfigMaps, missing/optional maps.
# (images: the docs use registry.k8s.io/busybox; the offline `busybox` is used instead)
# needs: runtime
# timeout: 200
source "${SCENARIO_LIB:?}"
new_ns cmpod

ok k create configmap special-config --from-literal=special.how=very -n "$NS"
ok k create configmap env-config --from-literal=log_level=INFO -n "$NS"
f=$(manifest single.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: dapi-test-pod}
spec:
  containers:
  - name: test-container
    image: busybox
    command: ["/bin/sh", "-c", "env"]
    env:
    - name: SPECIAL_LEVEL_KEY
      valueFrom: {configMapKeyRef: {name: special-config, key: special.how}}
    - name: LOG_LEVEL
      valueFrom: {configMapKeyRef: {name: env-config, key: log_level}}
  restartPolicy: Never
YAML
)
ok k apply -n "$NS" -f "$f"
wait_for 60 "Succeeded" jp "pod dapi-test-pod -n $NS" '{.status.phase}'
ok k logs dapi-test-pod -n "$NS"
expect_contains "$LAST_OUT" $'SPECIAL_LEVEL_KEY=very'
expect_contains "$LAST_OUT" $'LOG_LEVEL=INFO'
ok k delete pod dapi-test-pod -n "$NS" --wait=false

# envFrom: every key becomes a variable; $(VAR) expands in command
f=$(manifest special.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: special-config-2}
data: {SPECIAL_LEVEL: very, SPECIAL_TYPE: charm}
---
apiVersion: v1
kind: Pod
metadata: {name: dapi-envfrom}
spec:
  containers:
  - name: test-container
    image: busybox
    command: ["/bin/sh", "-c", "env | grep ^SPECIAL_ | sort"]
    envFrom: [{configMapRef: {name: special-config-2}}]
  restartPolicy: Never
---
apiVersion: v1
kind: Pod
metadata: {name: dapi-cmd}
spec:
  containers:
  - name: test-container
    image: busybox
    command: ["/bin/echo", "$(SPECIAL_LEVEL_KEY) $(SPECIAL_TYPE_KEY)"]
    env:
    - name: SPECIAL_LEVEL_KEY
      valueFrom: {configMapKeyRef: {name: special-config-2, key: SPECIAL_LEVEL}}
    - name: SPECIAL_TYPE_KEY
      valueFrom: {configMapKeyRef: {name: special-config-2, key: SPECIAL_TYPE}}
  restartPolicy: Never
---
apiVersion: v1
kind: Pod
metadata: {name: dapi-vol}
spec:
  containers:
  - name: test-container
    image: busybox
    command: ["/bin/sh", "-c", "ls /etc/config/"]
    volumeMounts: [{name: config-volume, mountPath: /etc/config}]
  volumes:
  - name: config-volume
    configMap: {name: special-config-2}
  restartPolicy: Never
---
apiVersion: v1
kind: Pod
metadata: {name: dapi-keys}
spec:
  containers:
  - name: test-container
    image: busybox
    command: ["/bin/sh", "-c", "cat /etc/config/keys"]
    volumeMounts: [{name: config-volume, mountPath: /etc/config}]
  volumes:
  - name: config-volume
    configMap:
      name: special-config-2
      items: [{key: SPECIAL_LEVEL, path: keys}]
  restartPolicy: Never
YAML
)
ok k apply -n "$NS" -f "$f"
for p in dapi-envfrom dapi-cmd dapi-vol dapi-keys; do
  wait_for 60 "Succeeded" jp "pod $p -n $NS" '{.status.phase}'
done
ok k logs dapi-envfrom -n "$NS"
expect_eq "$LAST_OUT" $'SPECIAL_LEVEL=very\nSPECIAL_TYPE=charm'
ok k logs dapi-cmd -n "$NS"
expect_eq "$LAST_OUT" "very charm"
ok k logs dapi-vol -n "$NS"
expect_eq "$LAST_OUT" $'SPECIAL_LEVEL\nSPECIAL_TYPE'
ok k logs dapi-keys -n "$NS"
expect_eq "$LAST_OUT" "very"

# a mounted ConfigMap is updated in place (env vars are not)
f=$(manifest live.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: sport}
data: {sport: football}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: configmap-volume, labels: {app.kubernetes.io/name: configmap-volume}}
spec:
  replicas: 1
  selector: {matchLabels: {app.kubernetes.io/name: configmap-volume}}
  template:
    metadata: {labels: {app.kubernetes.io/name: configmap-volume}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: alpine
        image: busybox
        command: ["/bin/sh", "-c", "while true; do echo \"$(date) My preferred sport is $(cat /etc/config/sport)\"; sleep 2; done"]
        env:
        - name: SPORT
          valueFrom: {configMapKeyRef: {name: sport, key: sport}}
        volumeMounts: [{name: config-volume, mountPath: /etc/config}]
      volumes:
      - name: config-volume
        configMap: {name: sport}
YAML
)
ok k apply -n "$NS" -f "$f"
ok k rollout status deployment/configmap-volume -n "$NS" --timeout=90s
wait_match 30 'My preferred sport is football' k logs deployment/configmap-volume -n "$NS" --tail=1
ok k patch configmap sport -n "$NS" --type merge -p '{"data":{"sport":"cricket"}}'
wait_match 100 'My preferred sport is cricket' k logs deployment/configmap-volume -n "$NS" --tail=1
ok k exec deployment/configmap-volume -n "$NS" -- sh -c 'echo $SPORT'
expect_eq "$LAST_OUT" "football" "environment variables keep their start-time value"

# a missing ConfigMap blocks the container; optional references do not
f=$(manifest missing.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: needs-missing}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
    env:
    - name: X
      valueFrom: {configMapKeyRef: {name: no-such-map, key: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: optional-missing}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo [${X:-unset}]; ls /etc/opt | wc -l"]
    env:
    - name: X
      valueFrom: {configMapKeyRef: {name: no-such-map, key: x, optional: true}}
    volumeMounts: [{name: o, mountPath: /etc/opt}]
  volumes:
  - name: o
    configMap: {name: no-such-map, optional: true}
YAML
)
ok k apply -n "$NS" -f "$f"
wait_for 60 "CreateContainerConfigError" jp "pod needs-missing -n $NS" '{.status.containerStatuses[0].state.waiting.reason}'
ok k get pod needs-missing -n "$NS" -o jsonpath='{.status.containerStatuses[0].state.waiting.message}'
expect_eq "$LAST_OUT" 'configmap "no-such-map" not found'
ok k get pod needs-missing -n "$NS"
expect_match "$LAST_OUT" 'needs-missing +0/1 +CreateContainerConfigError +0 '
wait_for 60 "Succeeded" jp "pod optional-missing -n $NS" '{.status.phase}'
ok k logs optional-missing -n "$NS"
expect_eq "$LAST_OUT" $'[unset]\n0'
# once the map exists the blocked pod starts
ok k create configmap no-such-map --from-literal=x=here -n "$NS"
ok k wait --for=condition=Ready pod/needs-missing -n "$NS" --timeout=60s
ok k exec needs-missing -n "$NS" -- sh -c 'echo $X'
expect_eq "$LAST_OUT" "here"
