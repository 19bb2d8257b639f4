#!/usr/bin/env bash
# kubernetes.io "Define Environment Variables for a Container" and "Define Dependent
# Environment Variables": env values, $(VAR) in args, dependent and escaped references.
# (the docs use busybox:1.28 / gcr.io/google-samples/node-hello; offline only `busybox` exists)
# needs: runtime
# timeout: 120
source "${SCENARIO_LIB:?}"
new_ns envar

f=$(manifest envars.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: envar-demo, labels: {purpose: demonstrate-envars}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: envar-demo-container
    image: busybox
    command: ["sleep", "3600"]
    env:
    - {name: DEMO_GREETING, value: "Hello from the environment"}
    - {name: DEMO_FAREWELL, value: "Such a sweet sorrow"}
---
apiVersion: v1
kind: Pod
metadata: {name: print-greeting}
spec:
  restartPolicy: Never
  containers:
  - name: env-print-demo
    image: busybox
    env:
    - {name: GREETING, value: "Warm greetings to"}
    - {name: HONORIFIC, value: "The Most Honorable"}
    - {name: NAME, value: "Kubernetes"}
    - {name: MESSAGE, value: "$(GREETING) here!"}
    command: ["echo"]
    args: ["$(GREETING) $(HONORIFIC) $(NAME)", "$(MESSAGE)"]
---
apiVersion: v1
kind: Pod
metadata: {name: dependent-envars-demo}
spec:
  restartPolicy: Never
  containers:
  - name: dependent-envars-demo
    image: busybox
    command: [sh, -c]
    args:
    - printf UNCHANGED_REFERENCE=$UNCHANGED_REFERENCE'\n'; printf SERVICE_ADDRESS=$SERVICE_ADDRESS'\n'; printf ESCAPED_REFERENCE=$ESCAPED_REFERENCE'\n'
    env:
    - {name: SERVICE_PORT, value: "80"}
    - {name: SERVICE_IP, value: "172.17.0.1"}
    - {name: UNCHANGED_REFERENCE, value: "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"}
    - {name: PROTOCOL, value: "https"}
    - {name: SERVICE_ADDRESS, value: "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"}
    - {name: ESCAPED_REFERENCE, value: "$$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"}
YAML
)
ok k apply -n "$NS" -f "$f"
ok k wait --for=condition=Ready pod/envar-demo -n "$NS" --timeout=60s
ok k exec envar-demo -n "$NS" -- printenv
expect_contains "$LAST_OUT" "DEMO_GREETING=Hello from the environment"
expect_contains "$LAST_OUT" "DEMO_FAREWELL=Such a sweet sorrow"
expect_contains "$LAST_OUT" "HOSTNAME=envar-demo"
expect_contains "$LAST_OUT" "KUBERNETES_SERVICE_HOST="
expect_contains "$LAST_OUT" "KUBERNETES_PORT_443_TCP_PROTO=tcp"
ok k exec envar-demo -n "$NS" -- printenv DEMO_GREETING
expect_eq "$LAST_OUT" "Hello from the environment"

wait_for 60 "Succeeded" jp "pod print-greeting -n $NS" '{.status.phase}'
ok k logs print-greeting -n "$NS"
expect_eq "$LAST_OUT" "Warm greetings to The Most Honorable Kubernetes Warm greetings to here!"

wait_for 60 "Succeeded" jp "pod dependent-envars-demo -n $NS" '{.status.phase}'
ok k logs pod/dependent-envars-demo -n "$NS"
expect_eq "$LAST_OUT" $'UNCHANGED_REFERENCE=$(PROTOCOL)://172.17.0.1:80\nSERVICE_ADDRESS=https://172.17.0.1:80\nESCAPED_REFERENCE=$(PROTOCOL)://172.17.0.1:80'

# kubectl set env updates the template; describe shows the variables
ok k create deployment registry --image=busybox -n "$NS" -- sleep 3600
ok k set env deployment/registry STORAGE_DIR=/local -n "$NS"
ok k rollout status deployment/registry -n "$NS" --timeout=90s
ok k exec deployment/registry -n "$NS" -- printenv STORAGE_DIR
expect_eq "$LAST_OUT" "/local"
ok k set env deployment/registry --list -n "$NS"
expect_contains "$LAST_OUT" "STORAGE_DIR=/local"
