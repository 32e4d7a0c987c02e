// The differences the harness has found and that are documented rather than fixed: each a rule matching the
// diff entries it explains, its class, and the explanation the report prints. A difference no rule explains is
// listed as unexplained: either a fidelity bug to fix, or a rule to add here with its reason.
//
// Classes: `not-served` (a kind or group fake-apiserver does not serve, README "What is served"), `fidelity`
// (fake-apiserver answers otherwise than kube-apiserver 1.33.4: a bug, open), `wording` (the same answer, a
// message whose tail is JavaScript's parser where Go's is quoted upstream, documented in README "Guarantees"),
// `choice` (a documented departure), `not-simulated` (kube-controller-manager's work that fake-apiserver's
// controllers do not do, or do at another moment).
// There is no `version` class: the oracle is v1.33.4, the release emulated, so no difference is one of versions.

const NOT_SERVED_GROUPS = /admissionregistration|apiregistration|certificates|flowcontrol|node\.k8s\.io/;

/** @type {{ id: string, cls: string, text: string, match: (scenario: string, entry: { path: string, oracle: unknown, fake: unknown }, label: string) => boolean }[]} */
export const KNOWN = [
  {
    id: 'openapi-spec-source',
    cls: 'fidelity',
    text: "OpenAPI documents: data/openapi/ is generated from the repository's api/openapi-spec (every feature gate on: `application/cbor` media types, `info.version` v1.33.1 of the tag it was cut from), where a running 1.33.4 serves neither; regenerating data/openapi/ from the oracle's served documents would fix it. The documents also lack the paths of what is not served (below).",
    match: (s) => /openapi/.test(s),
  },
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
    id: 'managed-fields-set',
    cls: 'fidelity',
    text: "managedFields of an Update (and of a create, compared with the kind's Go zero value on both sides): kube-apiserver owns an atomic struct or raw value whole (`f:roleRef`, `f:scaleTargetRef`, an Event's `f:involvedObject`/`f:regarding`, a backend's `f:port`: `+structType=atomic`; a ControllerRevision's `f:data`) where fake-apiserver owns its fields; it records the object as decoded, with the defaults applied at decoding (`f:volumeLifecycleModes` of a CSIDriver, `f:targetCPUUtilizationPercentage` of an HPA v1) and before the strategy and admission, where fake-apiserver records it after its defaulting, strategy and admission (`f:priority`, `f:serviceAccount`, `f:preemptionPolicy`, `f:tolerations` of pods, a Service's `f:clusterIP(s)`/`f:ipFamilies`/`f:ipFamilyPolicy`, a Namespace's `f:spec.f:finalizers`); the controllers' writes (`f:status` of kube-controller-manager, a DaemonSet's template-generation annotation) come with their timing.",
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
  {
    id: 'watch-list-gate',
    cls: 'choice',
    text: 'kube-apiserver 1.33.4 with its default feature gates refuses `sendInitialEvents` on a watch (422 `sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled`); fake-apiserver serves the streaming list (README "Lists and watches"), as a 1.33 server with WatchList on would: a documented choice.',
    match: (s) => /sendInitialEvents/.test(s),
  },
  {
    id: 'watch-cache',
    cls: 'fidelity',
    text: "What kube-apiserver's watch cache does: a watch from resourceVersion 1 is an ERROR event with a 410 (`too old resource version`) where fake-apiserver still holds that history and replays it; a list with `resourceVersion=0` is served from the cache whole, ignoring `limit` (no `continue`); a GET with a resourceVersion newer than the store waits and answers 504 (`Too large resource version`); a watch with resourceVersion `abc` is a 500 whose message names the parameter; a label change that moves an object out of a watch's selector is sent as MODIFIED with the old labels... (see the report).",
    match: (s) =>
      /resourceVersion=1 \(too old\)|resourceVersion=0 limit=2|resourceVersion too new|invalid resourceVersion|moves an object out/.test(
        s,
      ),
  },
  {
    id: 'return-deleted-object',
    cls: 'fidelity',
    text: 'DELETE of a StorageClass, CSIDriver, CSINode or VolumeAttachment answers the deleted object on kube-apiserver (their registries set ReturnDeletedObject); fake-apiserver answers a Success Status.',
    match: (s) => /(storageclasses|csidrivers|csinodes|volumeattachments) delete$/.test(s),
  },
  {
    id: 'volumeattachment-validation',
    cls: 'fidelity',
    text: 'VolumeAttachment validation: `spec.attacher` must be a DNS-1123 subdomain (422); fake-apiserver accepts any attacher.',
    match: (s) => /attacher that is not/.test(s),
  },
  {
    id: 'validation-gaps',
    cls: 'fidelity',
    text: 'Validation and option messages: label keys are not validated here (kube-apiserver: 422 `name part must consist of …`); an invalid `dryRun` is 422 `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value` (here 400); a JSON patch that changes `kind` is 422 `patch: Invalid value` (here 400, the decoder\'s); apply with another kind is `invalid object type: /v1, Kind=Secret`; delete preconditions use kube-apiserver\'s `the UID in the precondition (…) does not match the UID in record (…)` wording and the Kind in details; a 415 Status carries `details: {}`; a CRD without versions gets two causes with Go\'s value printing; a CR of the wrong type echoes the Go type name (`"string"`) as the value.',
    match: (s) =>
      /invalid label|dryRun value|replace kind|apply with a wrong kind|precondition|unsupported content type|application\/json$|CRD invalid|wrong type/.test(
        s,
      ),
  },
  {
    id: 'namespace-lifecycle',
    cls: 'fidelity',
    text: 'Namespaces: kube-apiserver adds the `kubernetes.io/metadata.name` label and `spec.finalizers: [kubernetes]` on every write (here on create only, so a PUT without them drops them); a create in a terminating namespace is 403 `unable to create new content in namespace … because it is being terminated` where here the namespace is already gone (404), its finalizer run at once.',
    match: (s) => /namespaces update|terminating namespace/.test(s),
  },
  {
    id: 'media-types',
    cls: 'fidelity',
    text: 'Response media types: kube-apiserver answers `Accept: application/yaml` in YAML and `application/vnd.kubernetes.protobuf` in protobuf, 406 to `text/html`, and `as=PartialObjectMetadata(List)` as metadata only; fake-apiserver answers JSON to all of them (README: protobuf request bodies are decoded, responses are JSON).',
    match: (s) =>
      /Accept: application\/yaml|Accept: text\/html|PartialObjectMetadata|GET with protobuf/.test(s),
  },
  {
    id: 'discovery-details',
    cls: 'fidelity',
    text: "Discovery details: a CRD's verbs are listed in kube-apiserver's order (`delete, deletecollection, get, list, patch, create, update, watch`); CRDs' storageVersionHash; `/healthz?verbose` and `/readyz?verbose` list every post-start hook and `informer-sync`/`etcd-readiness`; a custom resource list has `continue: \"\"`.",
    match: (s) =>
      /authentication\.k8s\.io\/v1$|authorization\.k8s\.io\/v1$|apiextensions\.k8s\.io\/v1$|CRD discovery|verbose|CRD custom resource list/.test(
        s,
      ),
  },
  {
    id: 'field-selectors-and-managers',
    cls: 'fidelity',
    text: "Pods' field selector `spec.serviceAccountName` is supported by kube-apiserver (400 here); the tokens controller writes a legacy token Secret's data as `kube-controller-manager` (here recorded under the creator's manager); a pod `spec` Forbidden message ends in Go's `cmp.Diff` where here a JSON diff is printed (README \"Built-in kinds\").",
    match: (s) => /spec\.serviceAccountName|legacy token Secret|changes a forbidden field/.test(s),
  },
  {
    id: 'job-delete',
    cls: 'fidelity',
    text: 'DELETE of a Job without a propagationPolicy warns `child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning` and orphans through the garbage collector (the Job is still there, with the `orphan` finalizer, right after); fake-apiserver removes it at once, without the warning.',
    match: (s) => /jobs delete$/.test(s),
  },
  {
    id: 'job-update-validation',
    cls: 'fidelity',
    text: "A Job PUT without the generated selector: kube-apiserver's causes are `spec.selector: Required value`, `spec.template.metadata.labels: … 'selector' does not match template 'labels'` and `spec.selector: … field is immutable` (Go's value printing); fake-apiserver gives the immutability causes only, the template's value as JSON.",
    match: (s) => /jobs update$/.test(s),
  },
  {
    id: 'controller-timing',
    cls: 'not-simulated',
    text: 'A controller of kube-controller-manager wrote to an object the scenario later reads (the resourceVersion moved, an extra MODIFIED event): the `kube-root-ca.crt` publisher, the replication and disruption controllers; timing, not an API difference.',
    match: (s, e) =>
      (/resourceVersion$/.test(e.path) && /<rv\d+>/.test(String(e.oracle))) ||
      (/^\/events\/\d+$/.test(e.path) && e.fake === '(absent)') ||
      (/resourcequotas list as Table/.test(s) && /cells/.test(e.path)),
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
