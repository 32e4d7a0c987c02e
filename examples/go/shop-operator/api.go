package main

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// GroupVersion is the custom resource's API, served from the CustomResourceDefinition in
// examples/fixtures/storefront-crd.yaml.
var GroupVersion = schema.GroupVersion{Group: "shop.example.com", Version: "v1"}

// SchemeBuilder registers the types, as kubebuilder's generated groupversion_info.go does.
var SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

func init() {
	SchemeBuilder.Register(&Storefront{}, &StorefrontList{})
}

// Storefront asks for a shop front: the operator keeps a ConfigMap with its settings, owned by it.
type Storefront struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   StorefrontSpec   `json:"spec,omitempty"`
	Status StorefrontStatus `json:"status,omitempty"`
}

// StorefrontSpec is what the user asks for.
type StorefrontSpec struct {
	Currency string `json:"currency,omitempty"`
	Greeting string `json:"greeting,omitempty"`
}

// StorefrontStatus is what the operator reports (the status subresource).
type StorefrontStatus struct {
	ConfigMap          string `json:"configMap,omitempty"`
	ObservedGeneration int64  `json:"observedGeneration,omitempty"`
}

// StorefrontList is a list of Storefronts.
type StorefrontList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Storefront `json:"items"`
}

// The deep copies controller-gen would generate.

func (in *Storefront) DeepCopyInto(out *Storefront) {
	*out = *in
	out.TypeMeta = in.TypeMeta
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
}

func (in *Storefront) DeepCopy() *Storefront {
	if in == nil {
		return nil
	}
	out := new(Storefront)
	in.DeepCopyInto(out)
	return out
}

func (in *Storefront) DeepCopyObject() runtime.Object {
	return in.DeepCopy()
}

func (in *StorefrontList) DeepCopyObject() runtime.Object {
	if in == nil {
		return nil
	}
	out := new(StorefrontList)
	*out = *in
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	if in.Items != nil {
		out.Items = make([]Storefront, len(in.Items))
		for i := range in.Items {
			in.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}
