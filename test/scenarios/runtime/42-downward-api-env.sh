#!/usr/bin/env bash
# kubernetes.io "Expose Pod Information to Containers Through Environment Variables":
# fieldRef (node, pod, namespace, IP, service account, host IP, labels) and resourceFieldRef.
# (the docs use registry.k8s.io/busybox:1.27.2; offline only `busybox` exists)
# needs: runtime
# timeout: 120
source "${SCENARIO_LIB:?}"
new_ns dapienv

f=$(manifest dapi.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: dapi-envars-fieldref, labels: {tier: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: test-container
    image: busybox
    command: ["sh", "-c"]
    args:
    - while true; do
        echo -en '\n';
        printenv MY_NODE_NAME MY_POD_NAME MY_POD_NAMESPACE;
        printenv MY_POD_IP MY_POD_SERVICE_ACCOUNT;
        sleep 10;
      done;
    env:
    - name: MY_NODE_NAME
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    - name: MY_POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: MY_POD_NAMESPACE
      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
    - name: MY_POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - name: MY_POD_SERVICE_ACCOUNT
      valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
    - name: MY_HOST_IP
      valueFrom: {fieldRef: {fieldPath: status.hostIP}}
    - name: MY_POD_UID
      valueFrom: {fieldRef: {fieldPath: metadata.uid}}
    - name: MY_TIER
      valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}
  restartPolicy: Never
---
apiVersion: v1
kind: Pod
metadata: {name: dapi-envars-resourcefieldref}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: test-container
    image: busybox
    command: ["sh", "-c"]
    args:
    - while true; do
        echo -en '\n';
        printenv MY_CPU_REQUEST MY_CPU_LIMIT;
        printenv MY_MEM_REQUEST MY_MEM_LIMIT;
        sleep 10;
      done;
    resources:
      requests: {memory: "32Mi", cpu: "125m"}
      limits: {memory: "64Mi", cpu: "250m"}
    env:
    - name: MY_CPU_REQUEST
      valueFrom: {resourceFieldRef: {containerName: test-container, resource: requests.cpu}}
    - name: MY_CPU_LIMIT
      valueFrom: {resourceFieldRef: {containerName: test-container, resource: limits.cpu}}
    - name: MY_MEM_REQUEST
      valueFrom: {resourceFieldRef: {containerName: test-container, resource: requests.memory}}
    - name: MY_MEM_LIMIT
      valueFrom: {resourceFieldRef: {containerName: test-container, resource: limits.memory}}
    - name: MY_CPU_LIMIT_MILLIS
      valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
    - name: MY_MEM_LIMIT_MI
      valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
  restartPolicy: Never
---
apiVersion: v1
kind: Pod
metadata: {name: dapi-no-limits}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo $CPU_LIMIT $MEM_LIMIT"]
    env:
    - name: CPU_LIMIT
      valueFrom: {resourceFieldRef: {resource: limits.cpu}}
    - name: MEM_LIMIT
      valueFrom: {resourceFieldRef: {resource: limits.memory}}
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/dapi-envars-fieldref pod/dapi-envars-resourcefieldref -n "$NS" --timeout=60s
node=$(jp "pod dapi-envars-fieldref -n $NS" '{.spec.nodeName}')
ip=$(jp "pod dapi-envars-fieldref -n $NS" '{.status.podIP}')
hostip=$(jp "pod dapi-envars-fieldref -n $NS" '{.status.hostIP}')
uid=$(jp "pod dapi-envars-fieldref -n $NS" '{.metadata.uid}')
[ -n "$node" ] && [ -n "$ip" ] || fail "pod has no node or IP"
wait_match 20 "$ip" k logs dapi-envars-fieldref -n "$NS"
ok k logs dapi-envars-fieldref -n "$NS"
expect_eq "$LAST_OUT" $'\n'"$node"$'\ndapi-envars-fieldref\n'"$NS"$'\n'"$ip"$'\ndefault'
ok k exec dapi-envars-fieldref -n "$NS" -c test-container -- printenv MY_HOST_IP MY_POD_UID MY_TIER
expect_eq "$LAST_OUT" "$hostip"$'\n'"$uid"$'\nweb'

wait_match 20 '67108864' k logs dapi-envars-resourcefieldref -n "$NS"
ok k logs dapi-envars-resourcefieldref -n "$NS"
expect_eq "$LAST_OUT" $'\n1\n1\n33554432\n67108864'
ok k exec dapi-envars-resourcefieldref -n "$NS" -- printenv MY_CPU_LIMIT_MILLIS MY_MEM_LIMIT_MI
expect_eq "$LAST_OUT" $'250\n64'

# without limits the node's allocatable is reported
wait_for 60 "Succeeded" jp "pod dapi-no-limits -n $NS" '{.status.phase}'
cpus=$(jp "node $node" '{.status.allocatable.cpu}')
ok k logs dapi-no-limits -n "$NS"
expect_match "$LAST_OUT" "^$cpus [0-9]+\$"
