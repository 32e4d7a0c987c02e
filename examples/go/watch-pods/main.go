// An in-cluster program: it watches the pods of its namespace with a typed watch (client-go's
// watch.Interface) and prints each event. Its Role: pods watch.
//
// A watch without a resourceVersion starts with an ADDED event for every pod that exists, then streams
// the changes. EVENTS=N makes it exit after N events (default: until SIGTERM or the watch ends).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"fake-apiserver/examples/go/internal/incluster"
)

func main() {
	config, namespace, err := incluster.Config()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	client := kubernetes.NewForConfigOrDie(config)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	limit, _ := strconv.Atoi(os.Getenv("EVENTS"))

	watcher, err := client.CoreV1().Pods(namespace).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // without the watch verb: the real 403
		os.Exit(1)
	}
	defer watcher.Stop()
	fmt.Println("watching pods in", namespace)
	for seen := 0; limit == 0 || seen < limit; seen++ {
		event, ok := <-watcher.ResultChan()
		if !ok {
			fmt.Println("the watch ended")
			return
		}
		pod, isPod := event.Object.(*corev1.Pod)
		if !isPod {
			fmt.Fprintf(os.Stderr, "%s: %v\n", event.Type, event.Object)
			os.Exit(1)
		}
		fmt.Printf("%s\t%s\t%s\n", event.Type, pod.Name, pod.Status.Phase)
	}
}
