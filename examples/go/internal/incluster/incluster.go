// Package incluster gives the examples their in-cluster config: in a pod, rest.InClusterConfig(); under
// test, with SA_DIR set, the same config built from a serviceaccount directory anywhere.
package incluster

import (
	"net"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/rest"
)

// ServiceAccountDir is where the kubelet mounts the service account's token, ca.crt and namespace.
const ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// Config returns the in-cluster config and the pod's namespace. rest.InClusterConfig() reads the
// fixed ServiceAccountDir; with SA_DIR set (a sa-dir written by fake-apiserver), the config is built
// as rest.InClusterConfig() builds it, from that directory and KUBERNETES_SERVICE_HOST/_PORT.
func Config() (*rest.Config, string, error) {
	dir := os.Getenv("SA_DIR")
	var config *rest.Config
	var err error
	if dir == "" {
		dir = ServiceAccountDir
		config, err = rest.InClusterConfig()
	} else {
		config, err = fromDir(dir)
	}
	if err != nil {
		return nil, "", err
	}
	namespace, err := os.ReadFile(filepath.Join(dir, "namespace"))
	if err != nil {
		return nil, "", err
	}
	return config, strings.TrimSpace(string(namespace)), nil
}

// fromDir is rest.InClusterConfig() with the directory as a parameter.
func fromDir(dir string) (*rest.Config, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, rest.ErrNotInCluster
	}
	tokenFile := filepath.Join(dir, "token")
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, err
	}
	return &rest.Config{
		Host:            "https://" + net.JoinHostPort(host, port),
		TLSClientConfig: rest.TLSClientConfig{CAFile: filepath.Join(dir, "ca.crt")},
		BearerToken:     string(token),
		BearerTokenFile: tokenFile, // re-read every minute: a rotated token is picked up
	}, nil
}
