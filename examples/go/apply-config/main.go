// An in-cluster program: server-side apply with client-go's typed apply configurations. It applies the
// ConfigMap shop-settings as field manager FIELD_MANAGER (default shop-config) with the currency
// CURRENCY, prints what the server kept and who manages it, then extracts the apply configuration it
// owns (ExtractConfigMap, from managedFields). FORCE=true takes over fields another manager owns;
// without it such an apply is the server's 409 conflict. Its Role: configmaps get, patch.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/kubernetes"

	"fake-apiserver/examples/go/internal/incluster"
)

func main() {
	config, namespace, err := incluster.Config()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	configMaps := kubernetes.NewForConfigOrDie(config).CoreV1().ConfigMaps(namespace)
	manager := os.Getenv("FIELD_MANAGER")
	if manager == "" {
		manager = "shop-config"
	}
	ctx := context.Background()

	desired := corev1ac.ConfigMap("shop-settings", namespace).
		WithLabels(map[string]string{"app.kubernetes.io/part-of": "shop"}).
		WithData(map[string]string{"currency": os.Getenv("CURRENCY")})
	applied, err := configMaps.Apply(ctx, desired, metav1.ApplyOptions{FieldManager: manager, Force: os.Getenv("FORCE") == "true"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // a conflict, or the real 403
		os.Exit(1)
	}
	fmt.Printf("applied %s: currency=%s\n", applied.Name, applied.Data["currency"])
	var managers []string
	for _, entry := range applied.ManagedFields {
		managers = append(managers, fmt.Sprintf("%s (%s)", entry.Manager, entry.Operation))
	}
	sort.Strings(managers)
	fmt.Println("managers:", managers)

	// What this manager owns, read back as an apply configuration.
	current, err := configMaps.Get(ctx, "shop-settings", metav1.GetOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	owned, err := corev1ac.ExtractConfigMap(current, manager)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	data, _ := json.Marshal(owned)
	fmt.Println("owned:", string(data))
}
