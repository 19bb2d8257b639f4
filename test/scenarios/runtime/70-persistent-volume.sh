#!/usr/bin/env bash
# kubernetes.io "Configure a Pod to Use a PersistentVolume for Storage": a hostPath PV with
# storageClassName manual, a claim that binds to it, a pod serving the file from the claim;
# the data outlives the pod; a dynamically provisioned claim (default StorageClass).
# (the docs use nginx and `sudo mkdir /mnt/data` on the node; offline only `busybox` exists,
# and the scenario prepares the host directory through a hostPath pod, under /tmp instead
# of /mnt/data so no real host path is disturbed)
# needs: runtime
# timeout: 180
source "${SCENARIO_LIB:?}"
new_ns pv

dir=/tmp/skiff-scenario-pv-$NS
pvname=task-pv-volume-$NS
defer k delete pv "$pvname" --wait=false
f=$(manifest prep.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: prep}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: [sh, -c, "echo 'Hello from Kubernetes storage' > /mnt/data/index.html"]
    volumeMounts: [{name: host, mountPath: /mnt/data}]
  volumes:
  - name: host
    hostPath: {path: $dir, type: DirectoryOrCreate}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: $pvname, labels: {type: local}}
spec:
  storageClassName: manual
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: "$dir"}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: task-pv-claim}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 3Gi}}
YAML
)
ok k apply -n "$NS" -f "$f"
wait_for 60 "Succeeded" jp "pod prep -n $NS" '{.status.phase}'
wait_for 60 "Bound" jp "pvc task-pv-claim -n $NS" '{.status.phase}'
ok k get pv "$pvname"
expect_match "$LAST_OUT" "$pvname +10Gi +RWO +Retain +Bound +$NS/task-pv-claim +manual "
ok k get pvc task-pv-claim -n "$NS"
expect_match "$LAST_OUT" "task-pv-claim +Bound +$pvname +10Gi +RWO +manual "

f=$(manifest pod.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: task-pv-pod}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: task-pv-storage
    persistentVolumeClaim: {claimName: task-pv-claim}
  containers:
  - name: task-pv-container
    image: busybox
    command: [httpd, -f, -p, "80", -h, /usr/share/nginx/html]
    ports: [{containerPort: 80, name: "http-server"}]
    volumeMounts:
    - mountPath: "/usr/share/nginx/html"
      name: task-pv-storage
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/task-pv-pod -n "$NS" --timeout=60s
ok k exec task-pv-pod -n "$NS" -- wget -qO- http://localhost/
expect_eq "$LAST_OUT" "Hello from Kubernetes storage"
ok k exec task-pv-pod -n "$NS" -- sh -c 'echo written-by-pod > /usr/share/nginx/html/note'
ok k delete pod task-pv-pod -n "$NS" --timeout=60s
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/task-pv-pod -n "$NS" --timeout=60s
ok k exec task-pv-pod -n "$NS" -- cat /usr/share/nginx/html/note
expect_eq "$LAST_OUT" "written-by-pod"

# clean the host directory up through the same kind of pod
ok k delete pod task-pv-pod -n "$NS" --timeout=60s
f=$(manifest clean.yaml <<YAML
apiVersion: v1
kind: Pod
metadata: {name: clean}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: [sh, -c, "rm -rf /host/skiff-scenario-pv-$NS"]
    volumeMounts: [{name: host, mountPath: /host}]
  volumes:
  - name: host
    hostPath: {path: /tmp}
YAML
)
ok k apply -n "$NS" -f "$f"
wait_for 60 "Succeeded" jp "pod clean -n $NS" '{.status.phase}'

# a claim on the default StorageClass is provisioned when a pod uses it
sc=$(k get storageclass -o jsonpath='{range .items[?(@.metadata.annotations.storageclass\.kubernetes\.io/is-default-class=="true")]}{.metadata.name}{end}' 2>/dev/null)
[ -n "$sc" ] || fail "no default StorageClass"
f=$(manifest dyn.yaml <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: uses-data}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: [sh, -c, "echo persisted > /data/f && cat /data/f"]
    volumeMounts: [{name: d, mountPath: /data}]
  volumes:
  - name: d
    persistentVolumeClaim: {claimName: data}
YAML
)
ok k apply -n "$NS" -f "$f"
wait_for 90 "Succeeded" jp "pod uses-data -n $NS" '{.status.phase}'
ok k logs uses-data -n "$NS"
expect_eq "$LAST_OUT" "persisted"
ok k get pvc data -n "$NS" -o jsonpath='{.status.phase}/{.spec.storageClassName}'
expect_eq "$LAST_OUT" "Bound/$sc"
ok k delete pod uses-data -n "$NS" --wait=true
ok k delete pvc data -n "$NS" --wait=true
