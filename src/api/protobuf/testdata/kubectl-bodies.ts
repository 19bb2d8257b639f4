// Request bodies captured from the real kubectl 1.32 (protobuf) against a recording server,
// with the JSON body kubectl 1.31 sent for the same command (Go encoding/json of the same
// struct): the decoder must turn the first into exactly the second.
export interface KubectlBody { name: string; command: string; hex: string; json: Record<string, any> }

export const KUBECTL_BODIES: KubectlBody[] = [
  {
    name: "namespace",
    command: "kubectl create namespace x",
    hex: "6b3873000a0f0a02763112094e616d65737061636512190a110a017812001a0022002a0032003800420012001a020a001a002200",
    json: {"kind":"Namespace","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null},"spec":{},"status":{}},
  },
  {
    name: "deployment",
    command: "kubectl create deployment web --image=nginx --replicas=2 --port=80",
    hex: "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b8010a1f0a0377656212001a0022002a003200380042005a0a0a0361707012037765621286010802120c0a0a0a0361707012037765621a6c0a1c0a0012001a0022002a003200380042005a0a0a036170701203776562124c122e0a056e67696e7812056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
    json: {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}},
  },
  {
    name: "deploymentZero",
    command: "kubectl create deployment zero --image=nginx --replicas=0",
    hex: "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412af010a210a047a65726f12001a0022002a003200380042005a0b0a0361707012047a65726f127c0800120d0a0b0a0361707012047a65726f1a610a1d0a0012001a0022002a003200380042005a0b0a0361707012047a65726f124012220a056e67696e7812056e67696e782a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
    json: {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"zero","creationTimestamp":null,"labels":{"app":"zero"}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"zero"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"zero"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}},
  },
  {
    name: "secret",
    command: "kubectl create secret generic s --from-literal=a=b --from-literal=e=",
    hex: "6b3873000a0c0a027631120653656372657412240a110a017312001a0022002a0032003800420012060a016112016212050a016512001a001a002200",
    json: {"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","creationTimestamp":null},"data":{"a":"Yg==","e":""}},
  },
  {
    name: "configmap",
    command: "kubectl create configmap cm --from-literal=a=b --from-literal=empty=",
    hex: "6b3873000a0f0a0276311209436f6e6669674d617012270a120a02636d12001a0022002a0032003800420012060a016112016212090a05656d70747912001a002200",
    json: {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm","creationTimestamp":null},"data":{"a":"b","empty":""}},
  },
  {
    name: "serviceNodePort",
    command: "kubectl create service nodeport web --tcp=80:8080",
    hex: "6b3873000a0d0a02763112075365727669636512680a1f0a0377656212001a0022002a003200380042005a0a0a03617070120377656212410a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037765621a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200",
    json: {"kind":"Service","apiVersion":"v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"web"},"type":"NodePort"},"status":{"loadBalancer":{}}},
  },
  {
    name: "serviceNamedPort",
    command: "kubectl create service clusterip named --tcp=443:https",
    hex: "6b3873000a0d0a02763112075365727669636512760a230a056e616d656412001a0022002a003200380042005a0c0a0361707012056e616d6564124b0a220a093434332d6874747073120354435018bb03220b080110001a0568747470732800120c0a0361707012056e616d65641a002209436c757374657249503a00420052005a00600068001a020a001a002200",
    json: {"kind":"Service","apiVersion":"v1","metadata":{"name":"named","creationTimestamp":null,"labels":{"app":"named"}},"spec":{"ports":[{"name":"443-https","protocol":"TCP","port":443,"targetPort":"https"}],"selector":{"app":"named"},"type":"ClusterIP"},"status":{"loadBalancer":{}}},
  },
  {
    name: "canI",
    command: "kubectl auth can-i get pods",
    hex: "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123c0a100a0012001a0022002a00320038004200121e0a1c0a0764656661756c7412036765741a0022002a04706f647332003a001a08080012001a0020001a002200",
    json: {"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}},"status":{"allowed":false}},
  },
  {
    name: "canINonResource",
    command: "kubectl auth can-i get /logs",
    hex: "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577122c0a100a0012001a0022002a00320038004200120e120c0a052f6c6f677312036765741a08080012001a0020001a002200",
    json: {"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"nonResourceAttributes":{"path":"/logs","verb":"get"}},"status":{"allowed":false}},
  },
  {
    name: "whoami",
    command: "kubectl auth whoami",
    hex: "6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200",
    json: {"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"status":{"userInfo":{}}},
  },
  {
    name: "cronjob",
    command: "kubectl create cronjob c --image=busybox --schedule=*/1 * * * * -- date",
    hex: "6b3873000a130a0862617463682f7631120743726f6e4a6f6212a1010a110a016312001a0022002a003200380042001289010a0b2a2f31202a202a202a202a1a002a780a110a016312001a0022002a00320038004200126332610a100a0012001a0022002a00320038004200124d12260a0163120762757379626f781a04646174652a0042006a007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a001a002200",
    json: {"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"c","creationTimestamp":null},"spec":{"schedule":"*/1 * * * *","jobTemplate":{"metadata":{"name":"c","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"c","image":"busybox","command":["date"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}},
  },
  {
    name: "jobFromCronJob",
    command: "kubectl create job fromcj --from=cronjob/c",
    hex: "6b3873000a0f0a0862617463682f763112034a6f6212cd010a620a0666726f6d636a12001a0022002a00320038004200622b0a2163726f6e6a6f622e6b756265726e657465732e696f2f696e7374616e746961746512066d616e75616c6a1d0a0743726f6e4a6f621a01632203752d312a0862617463682f76313001125d325b0a100a0012001a0022002a00320038004200124712200a0163120762757379626f782a0042006a007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200",
    json: {"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"fromcj","creationTimestamp":null,"annotations":{"cronjob.kubernetes.io/instantiate":"manual"},"ownerReferences":[{"apiVersion":"batch/v1","kind":"CronJob","name":"c","uid":"u-1","controller":true}]},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"c","image":"busybox","resources":{}}],"restartPolicy":"OnFailure"}}},"status":{}},
  },
  {
    name: "role",
    command: "kubectl create role r --verb=get,list --resource=pods,deployments.apps --resource-name=a",
    hex: "6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c65124e0a110a017212001a0022002a0032003800420012160a036765740a046c69737412001a04706f647322016112210a036765740a046c6973741204617070731a0b6465706c6f796d656e74732201611a002200",
    json: {"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"r","creationTimestamp":null},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"],"resourceNames":["a"]},{"verbs":["get","list"],"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["a"]}]},
  },
  {
    name: "rolebinding",
    command: "kubectl create rolebinding rb --role=r --user=bob --serviceaccount=default:sa --group=g",
    hex: "6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e6712ae010a120a02726212001a0022002a0032003800420012280a04557365721219726261632e617574686f72697a6174696f6e2e6b38732e696f1a03626f62220012270a0547726f75701219726261632e617574686f72697a6174696f6e2e6b38732e696f1a01672200121f0a0e536572766963654163636f756e7412001a027361220764656661756c741a240a19726261632e617574686f72697a6174696f6e2e6b38732e696f1204526f6c651a01721a002200",
    json: {"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"rb","creationTimestamp":null},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"bob"},{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"g"},{"kind":"ServiceAccount","name":"sa","namespace":"default"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r"}},
  },
  {
    name: "quota",
    command: "kubectl create quota q --hard=cpu=1,memory=1Gi,pods=10,requests.storage=500m --scopes=BestEffort",
    hex: "6b3873000a130a027631120d5265736f7572636551756f7461126a0a110a017112001a0022002a0032003800420012530a0a0a0363707512030a01310a0f0a066d656d6f727912050a033147690a0c0a04706f647312040a0231300a1a0a1072657175657374732e73746f7261676512060a043530306d120a426573744566666f72741a001a002200",
    json: {"kind":"ResourceQuota","apiVersion":"v1","metadata":{"name":"q","creationTimestamp":null},"spec":{"hard":{"cpu":"1","memory":"1Gi","pods":"10","requests.storage":"500m"},"scopes":["BestEffort"]},"status":{}},
  },
  {
    name: "priorityclass",
    command: "kubectl create priorityclass pcd --value=0 --global-default=true --preemption-policy=Never",
    hex: "6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c61737312220a130a0370636412001a0022002a003200380042001000180122002a054e657665721a002200",
    json: {"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"pcd","creationTimestamp":null},"value":0,"globalDefault":true,"preemptionPolicy":"Never"},
  },
  {
    name: "pdb",
    command: "kubectl create poddisruptionbudget pdb --selector=app=x --min-available=50%",
    hex: "6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e427564676574123a0a130a0370646212001a0022002a0032003800420012170a09080110001a03353025120a0a080a036170701201781a0a080018002000280030001a002200",
    json: {"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"pdb","creationTimestamp":null},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"x"}}},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}},
  },
  {
    name: "ingress",
    command: "kubectl create ingress ing --rule=foo.com/bar=svc:8080,tls=my-cert --class=nginx",
    hex: "6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e677265737312640a130a03696e6712001a0022002a00320038004200124912120a07666f6f2e636f6d12076d792d636572741a2c0a07666f6f2e636f6d12210a1f0a1d0a042f626172120e220c0a0373766312050a0010903f1a05457861637422056e67696e781a020a001a002200",
    json: {"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"ing","creationTimestamp":null},"spec":{"ingressClassName":"nginx","tls":[{"hosts":["foo.com"],"secretName":"my-cert"}],"rules":[{"host":"foo.com","http":{"paths":[{"path":"/bar","pathType":"Exact","backend":{"service":{"name":"svc","port":{"number":8080}}}}]}}]},"status":{"loadBalancer":{}}},
  },
  {
    name: "token",
    command: "kubectl create token sa --duration=10m --audience=x --bound-object-kind=Pod --bound-object-name=p --bound-object-uid=123",
    hex: "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565737412330a100a0012001a0022002a0032003800420012190a01781a110a03506f64120276311a0170220331323320d8041a040a0012001a002200",
    json: {"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"audiences":["x"],"expirationSeconds":600,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p","uid":"123"}},"status":{"token":"","expirationTimestamp":null}},
  },
  {
    name: "drainDeleteOptions",
    command: "kubectl drain n1 --disable-eviction --grace-period=0",
    hex: "6b3873000a130a027631120d44656c6574654f7074696f6e73120208001a002200",
    json: {"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0},
  },
  {
    name: "certificateApprove",
    command: "kubectl certificate approve csr1",
    hex: "6b3873000a330a166365727469666963617465732e6b38732e696f2f7631121943657274696669636174655369676e696e675265717565737412c4020a200a046373723112001a0022002a03632d313201373800420808a5facdac06100012b8010a4a2d2d2d2d2d424547494e20434552544946494341544520524551554553542d2d2d2d2d0a6162630a2d2d2d2d2d454e4420434552544946494341544520524551554553542d2d2d2d2d0a1203626f621a00221473797374656d3a61757468656e746963617465642a0b636c69656e74206175746832090a05656d7074791200320d0a03782f7912060a01310a01323a236b756265726e657465732e696f2f6b7562652d6170697365727665722d636c69656e7440901c1a650a630a08417070726f766564120e4b75626563746c417070726f76651a3554686973204353522077617320617070726f766564206279206b75626563746c20636572746966696361746520617070726f76652e220808eb81b7d80610002a003204547275651a002200",
    json: {"kind":"CertificateSigningRequest","apiVersion":"certificates.k8s.io/v1","metadata":{"name":"csr1","uid":"c-1","resourceVersion":"7","creationTimestamp":"2024-01-02T03:04:05Z"},"spec":{"request":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KYWJjCi0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQo=","signerName":"kubernetes.io/kube-apiserver-client","expirationSeconds":3600,"usages":["client auth"],"username":"bob","groups":["system:authenticated"],"extra":{"empty":[],"x/y":["1","2"]}},"status":{"conditions":[{"type":"Approved","status":"True","reason":"KubectlApprove","message":"This CSR was approved by kubectl certificate approve.","lastUpdateTime":"2026-11-30T18:31:07Z","lastTransitionTime":null}]}},
  },
];
