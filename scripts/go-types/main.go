// Command go-types reads the Go types of the API kinds fake-apiserver serves, from k8s.io/api and
// k8s.io/apiextensions-apiserver and k8s.io/kube-aggregator at the release pinned in go.mod, and serves two purposes:
//
//	go run . types > ../../src/decode/go-types.generated.ts
//	    the table src/decode/typed-decode.ts decodes request bodies by, as encoding/json decodes into these
//	    structs: every field's JSON name and Go type (as reflect prints it, for the error texts), its inline
//	    and omitempty flags and a custom type's zero encoding (src/decode/go-encode.ts encodes by them), and
//	    the patchStrategy and patchMergeKey tags strategic merge patch reads.
//	go run . decode < ../../test/fixtures/typed-decode-cases.jsonl > ../../test/fixtures/typed-decode-vectors.jsonl
//	    the oracle: each case decoded by apimachinery's own JSON serializer, as kube-apiserver's create and
//	    update handlers decode a body, with the error text their transformDecodeError gives.
//
// Nothing here runs in CI: its output is committed, and a unit test holds the TypeScript decoder to the vectors.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// servedGroupVersions are the group versions whose kinds fake-apiserver serves.
var servedGroupVersions = []string{
	"v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "coordination.k8s.io/v1",
	"discovery.k8s.io/v1", "events.k8s.io/v1", "networking.k8s.io/v1", "policy/v1",
	"rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1", "storage.k8s.io/v1", "authentication.k8s.io/v1",
	"authorization.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
}

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := scheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := apiextv1.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := apiregistrationv1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run . types|decode|openapi-v2-protobuf|crd-openapi|spew")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "types":
		writeTypes()
	case "decode":
		decodeCases()
	case "openapi-v2-protobuf":
		writeOpenAPIV2Protobuf()
	case "crd-openapi":
		writeCRDOpenAPI()
	case "spew":
		writeSpew()
	default:
		fmt.Fprintln(os.Stderr, "usage: go run . types|decode|openapi-v2-protobuf|crd-openapi|spew")
		os.Exit(2)
	}
}

var unmarshaler = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

type goType struct {
	kind   string
	name   string
	elem   int
	fields [][]any
	// zero is what json.Marshal writes for a custom type's zero value (its own MarshalJSON).
	zero string
}

type table struct {
	types []goType
	ids   map[reflect.Type]int
}

// id numbers a type and those it refers to, depth first.
func (tb *table) id(t reflect.Type) int {
	if i, ok := tb.ids[t]; ok {
		return i
	}
	i := len(tb.types)
	tb.ids[t] = i
	tb.types = append(tb.types, goType{})
	g := goType{name: t.String(), elem: -1}
	switch {
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshaler):
		g.kind = "custom"
		if t.Kind() != reflect.Struct {
			panic("custom type " + t.String() + " is not a struct: its omitempty emptiness is not modelled")
		}
		zero, err := json.Marshal(reflect.New(t).Interface())
		if err != nil {
			panic(err)
		}
		g.zero = string(zero)
	case t.Kind() == reflect.Pointer:
		g.kind = "ptr"
		g.elem = tb.id(t.Elem())
	case t.Kind() == reflect.Struct:
		g.kind = "struct"
		for f := 0; f < t.NumField(); f++ {
			field := t.Field(f)
			tag := field.Tag.Get("json")
			if !field.IsExported() || tag == "-" {
				continue
			}
			name := strings.Split(tag, ",")[0]
			inline := strings.Contains(tag, ",inline") || (field.Anonymous && name == "")
			if name == "" && !inline {
				name = field.Name
			}
			flag := 0
			if inline {
				flag |= 1
			}
			if strings.Contains(tag, ",omitempty") {
				flag |= 2
			}
			entry := []any{name, tb.id(field.Type), flag}
			strategy, mergeKey := field.Tag.Get("patchStrategy"), field.Tag.Get("patchMergeKey")
			if strategy != "" || mergeKey != "" {
				entry = append(entry, strategy, mergeKey)
			}
			g.fields = append(g.fields, entry)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		g.kind = "bytes"
	case t.Kind() == reflect.Slice:
		g.kind = "slice"
		g.elem = tb.id(t.Elem())
	case t.Kind() == reflect.Map:
		g.kind = "map"
		g.elem = tb.id(t.Elem())
	case t.Kind() == reflect.Interface:
		g.kind = "any"
	default:
		g.kind = t.Kind().String()
	}
	tb.types[i] = g
	return i
}

func writeTypes() {
	s := newScheme()
	served := map[string]bool{}
	for _, gv := range servedGroupVersions {
		served[gv] = true
	}
	var gvks []schema.GroupVersionKind
	for gvk := range s.AllKnownTypes() {
		if served[gvk.GroupVersion().String()] && !strings.HasSuffix(gvk.Kind, "Options") && gvk.Kind != "WatchEvent" {
			gvks = append(gvks, gvk)
		}
	}
	sort.Slice(gvks, func(i, j int) bool { return gvks[i].String() < gvks[j].String() })
	tb := &table{ids: map[reflect.Type]int{}}
	roots := map[string]int{}
	for _, gvk := range gvks {
		roots[gvk.GroupVersion().String()+" "+gvk.Kind] = tb.id(s.AllKnownTypes()[gvk])
	}
	// DeleteOptions as every group version registers it (meta/v1's).
	roots["v1 DeleteOptions"] = tb.id(s.AllKnownTypes()[schema.GroupVersionKind{Version: "v1", Kind: "DeleteOptions"}])

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	fmt.Fprintln(out, "// Code generated by scripts/go-types (go run . types) from k8s.io/api, k8s.io/apimachinery,")
	fmt.Fprintln(out, "// k8s.io/apiextensions-apiserver and k8s.io/kube-aggregator at the release scripts/go-types/go.mod pins; DO NOT EDIT.")
	fmt.Fprintln(out, "// (Copyright The Kubernetes Authors, Apache License 2.0.)")
	fmt.Fprintln(out, "")
	fmt.Fprintln(out, "import type { GoTypeTable } from './go-type.js';")
	fmt.Fprintln(out, "")
	fmt.Fprintln(out, "/** Every Go type the served kinds are made of, by number, and each kind's root type. */")
	fmt.Fprintln(out, "export const GO_TYPES: GoTypeTable = {")
	fmt.Fprintln(out, "  types: [")
	for _, g := range tb.types {
		name, _ := json.Marshal(g.name)
		switch {
		case g.fields != nil:
			fields, _ := json.Marshal(g.fields)
			fmt.Fprintf(out, "    [%q, %s, %s],\n", g.kind, name, fields)
		case g.kind == "struct":
			fmt.Fprintf(out, "    [%q, %s, []],\n", g.kind, name)
		case g.kind == "custom":
			fmt.Fprintf(out, "    [%q, %s, %s],\n", g.kind, name, g.zero)
		case g.elem >= 0:
			fmt.Fprintf(out, "    [%q, %s, %d],\n", g.kind, name, g.elem)
		default:
			fmt.Fprintf(out, "    [%q, %s],\n", g.kind, name)
		}
	}
	fmt.Fprintln(out, "  ],")
	fmt.Fprintln(out, "  roots: {")
	keys := make([]string, 0, len(roots))
	for k := range roots {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(out, "    %q: %d,\n", k, roots[k])
	}
	fmt.Fprintln(out, "  },")
	fmt.Fprintln(out, "};")
}

type decodeCase struct {
	Name string          `json:"name"`
	GV   string          `json:"gv"`
	Kind string          `json:"kind"`
	Body json.RawMessage `json:"body"`
}

// decodeCases decodes each case as kube-apiserver's create handler decodes a JSON body
// (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go, transformDecodeError in rest.go).
func decodeCases() {
	s := newScheme()
	serializer := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, s, s, kjson.SerializerOptions{})
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		if len(strings.TrimSpace(in.Text())) == 0 {
			continue
		}
		var c decodeCase
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			panic(err)
		}
		gv, err := schema.ParseGroupVersion(c.GV)
		if err != nil {
			panic(err)
		}
		gvk := gv.WithKind(c.Kind)
		into, err := s.New(gvk)
		if err != nil {
			panic(err)
		}
		result := map[string]any{"name": c.Name}
		obj, actual, err := serializer.Decode(c.Body, &gvk, into)
		if err != nil {
			message := err.Error()
			if actual != nil && actual.Kind != "" {
				message = fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", actual.Kind, actual.Version, c.Kind, err)
			}
			result["error"] = message
		} else {
			encoded, _ := json.Marshal(obj)
			result["decoded"] = json.RawMessage(encoded)
		}
		if err := enc.Encode(result); err != nil {
			panic(err)
		}
	}
}
