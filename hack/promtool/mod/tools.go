//go:build tools

// Package tools pins promtool, which the alert-rule tests run; the build tag keeps it out of
// every real build.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
