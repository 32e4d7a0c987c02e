package main

import (
	"context"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// StorefrontReconciler keeps, for each Storefront, a ConfigMap NAME-storefront with its settings,
// owned by it (so it is garbage-collected with it, and a change to it is reconciled away), and reports
// it in the Storefront's status.
type StorefrontReconciler struct {
	client.Client
	Scheme *runtime.Scheme
	Out    io.Writer // one line per change made
}

// Reconcile brings one Storefront's ConfigMap and status to what its spec says.
func (r *StorefrontReconciler) Reconcile(ctx context.Context, request ctrl.Request) (ctrl.Result, error) {
	var store Storefront
	if err := r.Get(ctx, request.NamespacedName, &store); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err) // deleted: its ConfigMap goes with it
	}
	configMap := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: store.Name + "-storefront", Namespace: store.Namespace}}
	result, err := controllerutil.CreateOrUpdate(ctx, r.Client, configMap, func() error {
		configMap.Data = map[string]string{"currency": store.Spec.Currency, "greeting": store.Spec.Greeting}
		return controllerutil.SetControllerReference(&store, configMap, r.Scheme)
	})
	if err != nil {
		return ctrl.Result{}, err
	}
	if result != controllerutil.OperationResultNone {
		fmt.Fprintf(r.Out, "configmap %s/%s %s\n", configMap.Namespace, configMap.Name, result)
	}
	if store.Status.ConfigMap != configMap.Name || store.Status.ObservedGeneration != store.Generation {
		store.Status = StorefrontStatus{ConfigMap: configMap.Name, ObservedGeneration: store.Generation}
		if err := r.Status().Update(ctx, &store); err != nil {
			return ctrl.Result{}, err
		}
		fmt.Fprintf(r.Out, "storefront %s/%s status updated (generation %d)\n", store.Namespace, store.Name, store.Generation)
	}
	return ctrl.Result{}, nil
}

// SetupWithManager watches Storefronts and the ConfigMaps they own.
func (r *StorefrontReconciler) SetupWithManager(manager ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(manager).
		For(&Storefront{}).
		Owns(&corev1.ConfigMap{}).
		Complete(r)
}
