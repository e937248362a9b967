//go:build tools

// Package tools pins the control-plane binaries the tests build; the build tag keeps it out of
// every real build.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
