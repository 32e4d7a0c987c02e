package main

import (
	"encoding/json"
	"io"
	"os"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"
)

// writeOpenAPIV2Protobuf reads a Swagger 2.0 JSON document on stdin and writes the gnostic
// openapi.v2.Document protobuf kube-apiserver serves for it, as kube-openapi's handler.ToProtoBinary does:
//
//	go run . openapi-v2-protobuf < v2.json > v2.pb
func writeOpenAPIV2Protobuf() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	document, err := openapi_v2.ParseDocument(in)
	if err != nil {
		panic(err)
	}
	out, err := proto.Marshal(document)
	if err != nil {
		panic(err)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		panic(err)
	}
}

// writeCRDOpenAPI reads a CustomResourceDefinition (JSON) on stdin and writes, for each served version,
// the OpenAPI v3 document and the v2 Swagger apiextensions-apiserver 1.33 publishes for it (the options
// its openapiv3 and openapi controllers pass), as {"<version>": {"v3": ..., "v2": ...}}: the vectors
// src/api/openapi/crd-openapi.test.ts holds the TypeScript builder to.
//
//	go run . crd-openapi < crd.json > vectors.json
func writeCRDOpenAPI() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	crd := &apiextv1.CustomResourceDefinition{}
	if err := json.Unmarshal(in, crd); err != nil {
		panic(err)
	}
	out := map[string]map[string]any{}
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		v3, err := builder.BuildOpenAPIV3(crd, v.Name, builder.Options{V2: false, IncludeSelectableFields: true})
		if err != nil {
			panic(err)
		}
		v2, err := builder.BuildOpenAPIV2(crd, v.Name, builder.Options{V2: true, IncludeSelectableFields: true})
		if err != nil {
			panic(err)
		}
		out[v.Name] = map[string]any{"v3": v3, "v2": v2}
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(out); err != nil {
		panic(err)
	}
}
