// The differences the harness has found and that are documented rather than fixed: each a rule matching the
// diff entries it explains, its class, and the explanation the report prints. A difference no rule explains is
// listed as unexplained: either a fidelity bug to fix, or a rule to add here with its reason.
//
// Classes: `not-served` (a kind or group fake-apiserver does not serve, README "What is served"), `fidelity`
// (fake-apiserver answers otherwise than kube-apiserver 1.33.4: a bug, open), `wording` (the same answer, a
// message whose tail is JavaScript's parser where Go's is quoted upstream, documented in README "Guarantees").
// There is no `version` class: the oracle is v1.33.4, the release emulated, so no difference is one of versions.

const NOT_SERVED_GROUPS = /admissionregistration|apiregistration|certificates|flowcontrol|node\.k8s\.io/;

/** @type {{ id: string, cls: string, text: string, match: (scenario: string, entry: { path: string, oracle: unknown, fake: unknown }, label: string) => boolean }[]} */
export const KNOWN = [
  {
    id: 'groups-not-served',
    cls: 'not-served',
    text: 'API groups not served: admissionregistration.k8s.io, apiregistration.k8s.io, certificates.k8s.io, flowcontrol.apiserver.k8s.io, node.k8s.io (404 where kube-apiserver lists them).',
    match: (s, e) => NOT_SERVED_GROUPS.test(s) || NOT_SERVED_GROUPS.test(JSON.stringify(e.oracle)),
  },
  {
    id: 'resources-not-served',
    cls: 'not-served',
    text: 'Resources not served in groups that are: bindings, componentstatuses, podtemplates, pods/binding, pods/eviction, pods/ephemeralcontainers, pods/resize, nodes/proxy, services/proxy, ipaddresses, servicecidrs, csistoragecapacities, … (discovery lists and the OpenAPI documents list them on kube-apiserver).',
    match: (s) =>
      /^(GET \/apis?(\/v1)?$|GET \/apis\/(networking\.k8s\.io|storage\.k8s\.io)\/v1$|aggregated discovery|GET \/ \(the path list\)|GET \/openapi)/.test(
        s,
      ) || /podtemplates/.test(s),
  },
  {
    id: 'openapi-spec-source',
    cls: 'fidelity',
    text: "OpenAPI documents: data/openapi/ is generated from the repository's api/openapi-spec (every feature gate on: `application/cbor` media types, `info.version` v1.33.1 of the tag it was cut from), where a running 1.33.4 serves neither; regenerating data/openapi/ from the oracle's served documents would fix it.",
    match: (s) => /openapi/.test(s),
  },
  {
    id: 'managed-fields-set',
    cls: 'fidelity',
    text: "managedFields of an Update: kube-apiserver records the fields the request sent, before admission and defaulting, and no `.` entry for an associative list item's own key map (`f:containers` has none); fake-apiserver records the defaulted object (`f:priority`, `f:serviceAccount`, `f:preemptionPolicy` of pods, template defaults) and `.` in list items.",
    match: (s, e) => /managedFields\/\d+\/fieldsV1/.test(e.path) || /managedFields\/\d+$/.test(e.path),
  },
  {
    id: 'managed-fields-review',
    cls: 'fidelity',
    text: 'TokenRequest, SubjectAccessReview and the self reviews answer with managedFields on kube-apiserver (their create handler runs the field manager); fake-apiserver answers without.',
    match: (s, e) => /\/body\/metadata\/managedFields$/.test(e.path) && e.fake === '(absent)',
  },
  {
    id: 'pod-generation',
    cls: 'fidelity',
    text: 'Pods carry `metadata.generation: 1` on kube-apiserver 1.33 (generation tracking for pods); fake-apiserver sets none.',
    match: (s, e) => /metadata\/generation$/.test(e.path) && /pods|pod/.test(s + JSON.stringify(e)),
  },
  {
    id: 'template-creation-timestamp',
    cls: 'fidelity',
    text: "Pod templates: kube-apiserver writes `spec.template.metadata.creationTimestamp: null` (Go's zero metav1.Time is not omitted); fake-apiserver omits it.",
    match: (s, e) => /template\/metadata\/creationTimestamp$/.test(e.path),
  },
  {
    id: 'dry-run-rv',
    cls: 'fidelity',
    text: 'A dry-run create answers without `metadata.resourceVersion` on kube-apiserver; fake-apiserver gives one.',
    match: (s, e) => /dry-run/.test(s) && /resourceVersion$/.test(e.path),
  },
  {
    id: 'controllers',
    cls: 'not-simulated',
    text: 'kube-controller-manager\'s controllers act on the object between two steps where fake-apiserver\'s controllers (README "Not served": no workload, quota, disruption, TTL or volume controllers) do not: resource quota `status.hard/used`, Deployment conditions, ReplicationController/ReplicaSet/StatefulSet `observedGeneration` and revisions, PDB `desiredHealthy`, Job counters, PV phase `Available`, the node TTL annotation; with them the resourceVersions and managedFields (`kube-controller-manager`, subresource `status`) they write, the extra watch events, and the 409 a later PUT with the first resourceVersion gets.',
    match: (s, e, label, ctx) => ctx.controllerTouched,
  },
  {
    id: 'admission',
    cls: 'fidelity',
    text: "Admission plugins not run by fake-apiserver: ServiceAccount (the `kube-api-access-*` projected volume and its mounts on a pod), DefaultTolerationSeconds (the not-ready/unreachable tolerations), StorageObjectInUseProtection (the pvc-/pv-protection finalizers), TaintNodesByCondition (a new node's not-ready taint); a pod PUT without those fields is then refused by kube-apiserver (`pod updates may not change fields…`) and accepted here.",
    match: (s, e) =>
      /\/spec\/volumes|volumeMounts|\/spec\/tolerations|\/spec\/taints/.test(e.path) ||
      (/\/metadata\/finalizers/.test(e.path) && /protection/.test(JSON.stringify(e.oracle))) ||
      (/pods (update|patch|apply)|pods delete|persistentvolume(claim)?s (delete|deletecollection)/.test(s) &&
        !/managedFields\/\d/.test(e.path)),
  },
  {
    id: 'zero-values',
    cls: 'fidelity',
    text: "Go's encoding of fields without `omitempty` and defaults not applied here: kube-apiserver writes `creationTimestamp: null` in templates, an Event's `source: {}`, `firstTimestamp`/`lastTimestamp`/`eventTime: null`, `reportingComponent`/`reportingInstance: \"\"`, a PV `hostPath.type: \"\"`, a Job's `manualSelector: false`, an HPA's `currentMetrics: null`, an EndpointSlice endpoint's `conditions: {}` and port `name: \"\"`, a CSINode's `drivers: null`, a node's zero `daemonEndpoints`/`nodeInfo`, a LimitRange's `defaultRequest` (defaulted to `default`); fake-apiserver leaves them out (or writes `[]`).",
    match: (s, e) =>
      /creationTimestamp$|\/source$|Timestamp$|eventTime$|reporting(Component|Instance)$|hostPath\/type$|manualSelector$|currentMetrics$|\/conditions$|ports\/\d+\/name$|\/drivers$|daemonEndpoints$|nodeInfo$|defaultRequest$|jobTemplate(\/spec\/template)?\/metadata$/.test(
        e.path,
      ) && !/deployments/.test(s),
  },
  {
    id: 'generation',
    cls: 'fidelity',
    text: '`metadata.generation`: kube-apiserver 1.33 sets it on pods and EndpointSlices (and a Status answers where a controller made the update conflict); fake-apiserver only on the kinds whose strategy it models.',
    match: (s, e) => /metadata\/generation$/.test(e.path),
  },
  {
    id: 'table-columns',
    cls: 'fidelity',
    text: 'Table `columnDefinitions`: fake-apiserver cuts each description to its first sentence and types some integer columns as `string`; kube-apiserver gives the OpenAPI description whole, and its types and formats.',
    match: (s, e) => /columnDefinitions/.test(e.path),
  },
  {
    id: 'endpoints-deprecated',
    cls: 'fidelity',
    text: 'kube-apiserver 1.33 answers every request on core/v1 Endpoints with `Warning: 299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"`; fake-apiserver sends no warning.',
    match: (s, e) => /^\/warning/.test(e.path) && /Endpoints is deprecated/.test(JSON.stringify(e.oracle)),
  },
  {
    id: 'authn-messages',
    cls: 'fidelity',
    text: 'TokenReview and authentication details: kube-apiserver\'s `status.error` texts (`token audiences [...] is invalid for the target audiences [...]`, plain `invalid bearer token` for garbage), a TokenReview without a token is 400 `token is required for TokenReview in authentication`, a SelfSubjectReview carries a creationTimestamp, a LocalSubjectAccessReview namespace mismatch is 422 with a kind-less message (`.authorization.k8s.io "" is invalid`), as is a SubjectAccessReview without user; SelfSubjectRulesReview lists the OIDC discovery non-resource URLs first and leaves `spec.namespace` out of its answer; `/openid/v1/jwks` is 406 to `Accept: application/json` (only `application/jwk-set+json`).',
    match: (s) =>
      /TokenReview|SelfSubjectReview|SubjectAccessReview|SelfSubjectRulesReview|jwks|OIDC/.test(s),
  },
  {
    id: 'decode-messages',
    cls: 'wording',
    text: 'Decoder and patch messages whose tail differs: Go\'s JSON errors (`invalid character …`, `cannot unmarshal object into Go value of type []handlers.jsonPatchOp`, `no kind "ConfigMap" is registered for version "apps/v1" in scheme …`) where fake-apiserver writes JavaScript\'s parser message or another Go-like sentence; the status code and reason agree unless listed elsewhere.',
    match: (s, e) =>
      /message$/.test(e.path) &&
      /not JSON|not an array|apiVersion mismatch|invalid continue|empty body|unsupported content|application\/json$/.test(
        s,
      ),
  },
];

/** What a scenario's differences say as a whole: whether kube-controller-manager wrote to its objects. */
export function contextOf(result) {
  const text = JSON.stringify(result.differences);
  return {
    controllerTouched:
      /kube-controller-manager|"subresource"|"oracle":409|observedGeneration|desiredHealthy|"hard"|conditions|Available|deprecated\.daemonset/.test(
        text,
      ) && result.group === 'verbs',
  };
}

/** The rule explaining a diff entry, if any. */
export function explain(scenario, entry, label, ctx = { controllerTouched: false }) {
  return KNOWN.find((k) => k.match(scenario, entry, label, ctx));
}
