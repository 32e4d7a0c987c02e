package fakeapiserver

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
)

// Environment has the shape of controller-runtime's envtest.Environment, so that a suite can move to
// fake-apiserver by changing its import and little else:
//
//	testEnv = &fakeapiserver.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "config", "crd", "bases")}}
//	cfg, err := testEnv.Start() // as envtest: an admin (system:masters) config
//	...
//	err = testEnv.Stop()
//
// Unlike envtest there are no binaries to download, and the suite can also run its code as a service
// account with only the RBAC it ships (Options.Fixtures with the Role and RoleBinding,
// Options.ServiceAccount, then ServiceAccountConfig), which envtest cannot: it has one admin identity.
type Environment struct {
	// CRDDirectoryPaths are files or directories of CustomResourceDefinitions, served from the start (they
	// are loaded as fixtures, so other manifests there are loaded too).
	CRDDirectoryPaths []string
	// ErrorIfCRDPathMissing makes Start fail when one of CRDDirectoryPaths does not exist (as envtest;
	// otherwise it is left out).
	ErrorIfCRDPathMissing bool
	// Options are the server's. Without Options.Fixtures the package's own cluster (its fixtures/
	// directory: the default namespace with its service account, ...) is served beside the CRDs, as
	// envtest starts a cluster with its default namespace; with them, they replace it.
	Options Options

	// Config is the admin config, set by Start (envtest's Environment.Config).
	Config *rest.Config
	// ServiceAccountConfig is Options.ServiceAccount's in-cluster config, set by Start.
	ServiceAccountConfig *rest.Config
	// Server is the running server, set by Start.
	Server *Server
}

// Start starts the server and returns the admin config.
func (e *Environment) Start() (*rest.Config, error) {
	opts := e.Options
	opts.Fixtures = append([]string(nil), opts.Fixtures...)
	if len(opts.Fixtures) == 0 && len(e.CRDDirectoryPaths) > 0 {
		command, err := resolveCommand(opts.Command)
		if err != nil {
			return nil, err
		}
		fixtures, err := packageFixtures(command)
		if err != nil {
			return nil, err
		}
		opts.Command, opts.Fixtures = command, []string{fixtures}
	}
	for _, path := range e.CRDDirectoryPaths {
		if _, err := os.Stat(path); err != nil {
			if e.ErrorIfCRDPathMissing {
				return nil, fmt.Errorf("CRD path %s: %w", path, err)
			}
			continue
		}
		opts.Fixtures = append(opts.Fixtures, path)
	}
	server, err := StartServer(opts)
	if err != nil {
		return nil, err
	}
	e.Server, e.Config, e.ServiceAccountConfig = server, server.AdminConfig, server.Config
	return e.Config, nil
}

// Stop stops the server (envtest's Environment.Stop).
func (e *Environment) Stop() error {
	if e.Server == nil {
		return nil
	}
	return e.Server.Stop()
}

// packageFixtures is the fixtures/ directory of the package whose dist/cli/main.js the command runs.
func packageFixtures(command []string) (string, error) {
	cli := command[len(command)-1]
	if resolved, err := filepath.EvalSymlinks(cli); err == nil {
		cli = resolved
	}
	fixtures := filepath.Join(filepath.Dir(cli), "..", "..", "fixtures")
	if info, err := os.Stat(fixtures); err != nil || !info.IsDir() {
		return "", fmt.Errorf("the package's default fixtures are not at %s: set Options.Fixtures", fixtures)
	}
	return filepath.Clean(fixtures), nil
}
