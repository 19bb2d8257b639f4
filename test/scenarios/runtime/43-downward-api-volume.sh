#!/usr/bin/env bash
# kubernetes.io "Expose Pod Information to Containers Through Files": downwardAPI volumes with
# labels/annotations (updated in place through the ..data symlink) and container resources.
# (the docs use registry.k8s.io/busybox:1.27.2; offline only `busybox` exists)
# needs: runtime
# timeout: 180
source "${SCENARIO_LIB:?}"
new_ns dapivol

f=$(manifest dapi-volume.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: kubernetes-downwardapi-volume-example
  labels: {zone: us-est-coast, cluster: test-cluster1, rack: rack-22}
  annotations: {build: two, builder: john-doe}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: client-container
    image: busybox
    command: ["sh", "-c"]
    args:
    - while true; do
        if [[ -e /etc/podinfo/labels ]]; then
          echo -en '\n\n'; cat /etc/podinfo/labels; fi;
        if [[ -e /etc/podinfo/annotations ]]; then
          echo -en '\n\n'; cat /etc/podinfo/annotations; fi;
        sleep 5;
      done;
    volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
  volumes:
  - name: podinfo
    downwardAPI:
      items:
      - path: "labels"
        fieldRef: {fieldPath: metadata.labels}
      - path: "annotations"
        fieldRef: {fieldPath: metadata.annotations}
---
apiVersion: v1
kind: Pod
metadata: {name: kubernetes-downwardapi-volume-example-2}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: client-container
    image: busybox
    command: ["sh", "-c"]
    args:
    - while true; do
        echo -en '\n';
        if [[ -e /etc/podinfo/cpu_limit ]]; then
          echo -en '\n'; cat /etc/podinfo/cpu_limit; fi;
        if [[ -e /etc/podinfo/cpu_request ]]; then
          echo -en '\n'; cat /etc/podinfo/cpu_request; fi;
        if [[ -e /etc/podinfo/mem_limit ]]; then
          echo -en '\n'; cat /etc/podinfo/mem_limit; fi;
        if [[ -e /etc/podinfo/mem_request ]]; then
          echo -en '\n'; cat /etc/podinfo/mem_request; fi;
        sleep 5;
      done;
    resources:
      requests: {memory: "32Mi", cpu: "125m"}
      limits: {memory: "64Mi", cpu: "250m"}
    volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
  volumes:
  - name: podinfo
    downwardAPI:
      items:
      - path: "cpu_limit"
        resourceFieldRef: {containerName: client-container, resource: limits.cpu, divisor: 1m}
      - path: "cpu_request"
        resourceFieldRef: {containerName: client-container, resource: requests.cpu, divisor: 1m}
      - path: "mem_limit"
        resourceFieldRef: {containerName: client-container, resource: limits.memory, divisor: 1Mi}
      - path: "mem_request"
        resourceFieldRef: {containerName: client-container, resource: requests.memory, divisor: 1Mi}
YAML
)
# create (not apply): apply would add its last-applied annotation to the annotations file
ok k create -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/kubernetes-downwardapi-volume-example pod/kubernetes-downwardapi-volume-example-2 -n "$NS" --timeout=60s
P=kubernetes-downwardapi-volume-example
ok k exec $P -n "$NS" -- cat /etc/podinfo/labels
expect_eq "$LAST_OUT" $'cluster="test-cluster1"\nrack="rack-22"\nzone="us-est-coast"'
ok k exec $P -n "$NS" -- cat /etc/podinfo/annotations
expect_contains "$LAST_OUT" $'build="two"\nbuilder="john-doe"'
wait_match 20 'builder="john-doe"' k logs $P -n "$NS"
# the files are symlinks into a timestamped ..data directory (atomic updates)
ok k exec $P -n "$NS" -- sh -c 'readlink /etc/podinfo/labels; readlink /etc/podinfo/..data; ls -a /etc/podinfo | grep -c "^\.\.[0-9]"'
expect_match "$LAST_OUT" $'^\\.\\.data/labels\n\\.\\.[0-9]{4}(_[0-9]{2}){5}\\.[0-9]+\n1$'

# label and annotation changes reach the files
ok k label pod $P -n "$NS" version=v2
ok k annotate pod $P -n "$NS" build=three --overwrite
wait_match 90 'version="v2"' k exec $P -n "$NS" -- cat /etc/podinfo/labels
wait_match 30 'build="three"' k exec $P -n "$NS" -- cat /etc/podinfo/annotations

ok k exec kubernetes-downwardapi-volume-example-2 -n "$NS" -- sh -c 'cat /etc/podinfo/cpu_limit /etc/podinfo/cpu_request /etc/podinfo/mem_limit /etc/podinfo/mem_request'
expect_eq "$LAST_OUT" "2501256432" "resource files hold the bare number without a newline"
ok k exec kubernetes-downwardapi-volume-example-2 -n "$NS" -- sh -c 'for f in cpu_limit cpu_request mem_limit mem_request; do echo $(cat /etc/podinfo/$f); done'
expect_eq "$LAST_OUT" $'250\n125\n64\n32'
