#!/usr/bin/env bash
# kubernetes.io "Configure Pod Initialization" and "Debug Init Containers": an init container
# fills a volume the app then serves; Init:N/M statuses; init container logs and statuses.
# (the docs use nginx and `wget http://info.cern.ch`; offline only `busybox` exists and
# nothing outside loopback is reachable: the init container writes the page itself and
# busybox httpd serves it)
# needs: runtime
# timeout: 150
source "${SCENARIO_LIB:?}"
new_ns initc

f=$(manifest init.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: init-demo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: nginx
    image: busybox
    command: [httpd, -f, -p, "80", -h, /usr/share/nginx/html]
    ports: [{containerPort: 80}]
    volumeMounts:
    - {name: workdir, mountPath: /usr/share/nginx/html}
  initContainers:
  - name: install
    image: busybox
    command: [sh, -c, "echo '<html><head></head><body>CERN info page</body></html>' > /work-dir/index.html"]
    volumeMounts:
    - {name: workdir, mountPath: "/work-dir"}
  dnsPolicy: Default
  volumes:
  - name: workdir
    emptyDir: {}
---
apiVersion: v1
kind: Pod
metadata: {name: myapp-pod, labels: {app.kubernetes.io/name: MyApp}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: myapp-container
    image: busybox
    command: ['sh', '-c', 'echo The app is running! && sleep 3600']
  initContainers:
  - name: init-myservice
    image: busybox
    command: ['sh', '-c', "until [ -f /gate/one ]; do echo waiting for myservice; sleep 1; done"]
    volumeMounts: [{name: gate, mountPath: /gate}]
  - name: init-mydb
    image: busybox
    command: ['sh', '-c', "until [ -f /gate/two ]; do echo waiting for mydb; sleep 1; done"]
    volumeMounts: [{name: gate, mountPath: /gate}]
  volumes: [{name: gate, emptyDir: {}}]
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/init-demo -n "$NS" --timeout=60s
ok k exec -it init-demo -n "$NS" -c nginx -- wget -qO- http://localhost/
expect_contains "$LAST_OUT" "CERN info page"
ok k get pod init-demo -n "$NS" -o jsonpath='{.status.initContainerStatuses[0].state.terminated.reason}/{.status.initContainerStatuses[0].state.terminated.exitCode}/{.status.initContainerStatuses[0].ready}'
expect_eq "$LAST_OUT" "Completed/0/true"
ok k get pod init-demo -n "$NS" -o jsonpath='{.status.conditions[?(@.type=="Initialized")].status}'
expect_eq "$LAST_OUT" "True"

# Init:0/2 while the first init container waits; its logs explain why
wait_match 30 '^myapp-pod +0/1 +Init:0/2 +0 ' k get pod myapp-pod -n "$NS" --no-headers
ok k get pod myapp-pod -n "$NS" -o jsonpath='{.status.phase}/{.status.conditions[?(@.type=="Initialized")].status}/{.status.initContainerStatuses[0].state.running.startedAt}'
expect_match "$LAST_OUT" '^Pending/False/20'
wait_match 20 'waiting for myservice' k logs myapp-pod -n "$NS" -c init-myservice
ok k describe pod myapp-pod -n "$NS"
expect_match "$LAST_OUT" 'Init Containers:'
expect_match "$LAST_OUT" 'init-myservice:'
ok k get pod myapp-pod -n "$NS" --template '{{.status.initContainerStatuses}}'
expect_contains "$LAST_OUT" "init-myservice"

ok k exec myapp-pod -n "$NS" -c init-myservice -- touch /gate/one
wait_match 30 '^myapp-pod +0/1 +Init:1/2 +0 ' k get pod myapp-pod -n "$NS" --no-headers
wait_match 20 'waiting for mydb' k logs myapp-pod -n "$NS" -c init-mydb
ok k exec myapp-pod -n "$NS" -c init-mydb -- touch /gate/two
ok k wait --for=condition=Ready pod/myapp-pod -n "$NS" --timeout=60s
ok k logs myapp-pod -n "$NS"
expect_eq "$LAST_OUT" "The app is running!"
ok k get pod myapp-pod -n "$NS" -o jsonpath='{.status.initContainerStatuses[*].state.terminated.reason}'
expect_eq "$LAST_OUT" "Completed Completed"
ok k logs myapp-pod -n "$NS" -c init-mydb
expect_match "$LAST_OUT" '^(waiting for mydb
)+$|^(waiting for mydb
)*waiting for mydb$'
