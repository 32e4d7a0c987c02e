/**
 * Request bodies captured from real kubectl binaries against a throwaway HTTP server that logged them,
 * for the protobuf decoder's tests. kubectl v1.32.5 and v1.33.1 sent byte-identical protobuf bodies for every
 * command; `json131` is the JSON body kubectl v1.31.9 sent for the same command (before typed clients
 * switched to protobuf), i.e. what the JSON path receives. The `bin.dat` file held the bytes
 * `00 01 ff fe` followed by `binary`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/client-go/rest/request.go
 */

/**
 * One captured request.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go
 */
export interface KubectlProtobufVector {
  /** The kubectl command line (global flags `--kubeconfig`, `--cache-dir` left out). */
  command: string;
  method: 'POST';
  /** The request path and query, as kubectl sent it. */
  url: string;
  /** `k8s\0` + `runtime.Unknown`, hex-encoded, as kubectl 1.32/1.33 sent it. */
  hex: string;
  /** The JSON body kubectl 1.31 sent for the same command. */
  json131: string;
}

/**
 * The captured vectors, keyed by a short name.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/kubectl/pkg/cmd/create
 */
export const KUBECTL_PROTOBUF_VECTORS = {
  canIListPods: {
    command: 'kubectl auth can-i list pods',
    method: 'POST',
    url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    hex:
      '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365' +
      '7373526576696577123d0a100a0012001a0022002a00320038004200121f0a1d0a0764656661756c7412046c6973741a' +
      '0022002a04706f647332003a001a08080012001a0020001a002200',
    json131:
      '{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"default","verb":"list","resource":"pods"}},"status":{"allowed":false}}\n',
  },
  canIGetPodsLogDev: {
    command: 'kubectl auth can-i get pods/log -n dev',
    method: 'POST',
    url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    hex:
      '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365' +
      '7373526576696577123b0a100a0012001a0022002a00320038004200121d0a1b0a0364657612036765741a0022002a04' +
      '706f647332003a036c6f671a08080012001a0020001a002200',
    json131:
      '{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"dev","verb":"get","resource":"pods","name":"log"}},"status":{"allowed":false}}\n',
  },
  canIGetHealthz: {
    command: 'kubectl auth can-i get /healthz',
    method: 'POST',
    url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    hex:
      '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365' +
      '7373526576696577122f0a100a0012001a0022002a003200380042001211120f0a082f6865616c74687a12036765741a' +
      '08080012001a0020001a002200',
    json131:
      '{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"}},"status":{"allowed":false}}\n',
  },
  canIListAll: {
    command: 'kubectl auth can-i --list -n default',
    method: 'POST',
    url: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    hex:
      '6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a65637452756c65' +
      '7352657669657712230a100a0012001a0022002a0032003800420012090a0764656661756c741a04180022001a002200',
    json131:
      '{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"namespace":"default"},"status":{"resourceRules":null,"nonResourceRules":null,"incomplete":false}}\n',
  },
  whoami: {
    command: 'kubectl auth whoami',
    method: 'POST',
    url: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    hex:
      '6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576' +
      '696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200',
    json131:
      '{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"status":{"userInfo":{}}}\n',
  },
  createTokenBound: {
    command:
      'kubectl create token default --duration=1h --audience=api --audience=vault --bound-object-kind=Pod --bound-object-name=web --bound-object-uid=abcd',
    method: 'POST',
    url: '/api/v1/namespaces/default/serviceaccounts/default/token',
    hex:
      '6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374123f' +
      '0a100a0012001a0022002a0032003800420012250a036170690a057661756c741a140a03506f64120276311a03776562' +
      '22046162636420901c1a040a0012001a002200',
    json131:
      '{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"audiences":["api","vault"],"expirationSeconds":3600,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"web","uid":"abcd"}},"status":{"token":"","expirationTimestamp":null}}\n',
  },
  createTokenDefault: {
    command: 'kubectl create token default',
    method: 'POST',
    url: '/api/v1/namespaces/default/serviceaccounts/default/token',
    hex:
      '6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374121a' +
      '0a100a0012001a0022002a0032003800420012001a040a0012001a002200',
    json131:
      '{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"audiences":null,"expirationSeconds":null,"boundObjectRef":null},"status":{"token":"","expirationTimestamp":null}}\n',
  },
  createConfigMap: {
    command: 'kubectl create configmap cm1 --from-literal=a=b --from-literal=c=d',
    method: 'POST',
    url: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0f0a0276311209436f6e6669674d617012250a130a03636d3112001a0022002a0032003800420012060a01' +
      '6112016212060a01631201641a002200',
    json131:
      '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm1","creationTimestamp":null},"data":{"a":"b","c":"d"}}\n',
  },
  createConfigMapBinarySaveConfig: {
    command: 'kubectl create configmap cm2 --from-file=bin.dat=bin.dat --save-config',
    method: 'POST',
    url: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0f0a0276311209436f6e6669674d617012eb010ad1010a03636d3212001a0022002a0032003800420062bb' +
      '010a306b75626563746c2e6b756265726e657465732e696f2f6c6173742d6170706c6965642d636f6e66696775726174' +
      '696f6e1286017b226b696e64223a22436f6e6669674d6170222c2261706956657273696f6e223a227631222c226d6574' +
      '6164617461223a7b226e616d65223a22636d32222c226372656174696f6e54696d657374616d70223a6e756c6c7d2c22' +
      '62696e61727944617461223a7b2262696e2e646174223a224141482f2f6d4a70626d467965513d3d227d7d0a1a150a07' +
      '62696e2e646174120a0001fffe62696e6172791a002200',
    json131:
      '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm2","creationTimestamp":null,"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"kind\\":\\"ConfigMap\\",\\"apiVersion\\":\\"v1\\",\\"metadata\\":{\\"name\\":\\"cm2\\",\\"creationTimestamp\\":null},\\"binaryData\\":{\\"bin.dat\\":\\"AAH//mJpbmFyeQ==\\"}}\\n"}},"binaryData":{"bin.dat":"AAH//mJpbmFyeQ=="}}\n',
  },
  createSecret: {
    command: 'kubectl create secret generic s1 --from-literal=k=v',
    method: 'POST',
    url: '/api/v1/namespaces/default/secrets?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0c0a0276311206536563726574121e0a120a02733112001a0022002a0032003800420012060a016b120176' +
      '1a001a002200',
    json131:
      '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s1","creationTimestamp":null},"data":{"k":"dg=="}}\n',
  },
  createSecretTyped: {
    command: 'kubectl create secret generic s2 --from-literal=k=v --type=example.com/x',
    method: 'POST',
    url: '/api/v1/namespaces/default/secrets?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0c0a0276311206536563726574122b0a120a02733212001a0022002a0032003800420012060a016b120176' +
      '1a0d6578616d706c652e636f6d2f781a002200',
    json131:
      '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s2","creationTimestamp":null},"data":{"k":"dg=="},"type":"example.com/x"}\n',
  },
  createNamespace: {
    command: 'kubectl create namespace ns1',
    method: 'POST',
    url: '/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0f0a02763112094e616d657370616365121b0a130a036e733112001a0022002a0032003800420012001a02' +
      '0a001a002200',
    json131:
      '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"ns1","creationTimestamp":null},"spec":{},"status":{}}\n',
  },
  createServiceAccount: {
    command: 'kubectl create serviceaccount sa1',
    method: 'POST',
    url: '/api/v1/namespaces/default/serviceaccounts?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a140a027631120e536572766963654163636f756e7412150a130a0373613112001a0022002a003200380042' +
      '001a002200',
    json131:
      '{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa1","creationTimestamp":null}}\n',
  },
  createRole: {
    command: 'kubectl create role r1 --verb=get,list --resource=pods,pods/log --resource-name=web',
    method: 'POST',
    url: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c6512380a120a02' +
      '723112001a0022002a0032003800420012220a036765740a046c69737412001a04706f64731a08706f64732f6c6f6722' +
      '037765621a002200',
    json131:
      '{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"r1","creationTimestamp":null},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods","pods/log"],"resourceNames":["web"]}]}\n',
  },
  createClusterRoleNonResource: {
    command: 'kubectl create clusterrole cr1 --verb=get --non-resource-url=/healthz',
    method: 'POST',
    url: '/apis/rbac.authorization.k8s.io/v1/clusterroles?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c' +
      '6512260a130a0363723112001a0022002a00320038004200120f0a036765742a082f6865616c74687a1a002200',
    json131:
      '{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"cr1","creationTimestamp":null},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]}]}\n',
  },
  createClusterRoleAggregation: {
    command: 'kubectl create clusterrole cr2 --aggregation-rule=rbac.example.com/aggregate=true',
    method: 'POST',
    url: '/apis/rbac.authorization.k8s.io/v1/clusterroles?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c' +
      '65123d0a130a0363723212001a0022002a003200380042001a260a240a220a1a726261632e6578616d706c652e636f6d' +
      '2f6167677265676174651204747275651a002200',
    json131:
      '{"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"cr2","creationTimestamp":null},"rules":null,"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"rbac.example.com/aggregate":"true"}}]}}\n',
  },
  createRoleBinding: {
    command:
      'kubectl create rolebinding rb1 --role=r1 --user=alice --group=devs --serviceaccount=default:sa1',
    method: 'POST',
    url: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b526f6c6542696e64696e' +
      '6712b6010a130a0372623112001a0022002a00320038004200122a0a04557365721219726261632e617574686f72697a' +
      '6174696f6e2e6b38732e696f1a05616c6963652200122a0a0547726f75701219726261632e617574686f72697a617469' +
      '6f6e2e6b38732e696f1a0464657673220012200a0e536572766963654163636f756e7412001a03736131220764656661' +
      '756c741a250a19726261632e617574686f72697a6174696f6e2e6b38732e696f1204526f6c651a0272311a002200',
    json131:
      '{"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"rb1","creationTimestamp":null},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"},{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"devs"},{"kind":"ServiceAccount","name":"sa1","namespace":"default"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r1"}}\n',
  },
  createClusterRoleBinding: {
    command: 'kubectl create clusterrolebinding crb1 --clusterrole=cr1 --user=bob',
    method: 'POST',
    url: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a320a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311212436c7573746572526f6c' +
      '6542696e64696e67126f0a140a046372623112001a0022002a0032003800420012280a04557365721219726261632e61' +
      '7574686f72697a6174696f6e2e6b38732e696f1a03626f6222001a2d0a19726261632e617574686f72697a6174696f6e' +
      '2e6b38732e696f120b436c7573746572526f6c651a036372311a002200',
    json131:
      '{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"crb1","creationTimestamp":null},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"bob"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cr1"}}\n',
  },
  createDeployment: {
    command: 'kubectl create deployment d1 --image=nginx',
    method: 'POST',
    url: '/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412a7010a1d0a02643112001a0022002a0032003800' +
      '42005a090a036170701202643112780801120b0a090a03617070120264311a5f0a1b0a0012001a0022002a0032003800' +
      '42005a090a0361707012026431124012220a056e67696e7812056e67696e782a0042006a007200800100880100900100' +
      'a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c08001000180020' +
      '00280038001a002200',
    json131:
      '{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"d1","creationTimestamp":null,"labels":{"app":"d1"}},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"d1"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"d1"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}}\n',
  },
} satisfies Record<string, KubectlProtobufVector>;
