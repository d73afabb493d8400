// Package templates holds the built-in presets, one Helm chart each, and
// embeds them into the binary. It is its own package because go:embed cannot
// reach files above the package directory.
package templates

import "embed"

// FS holds every built-in chart: Chart.yaml, values.yaml, values.schema.json,
// README.md (what `kubedaemon readme` prints) and templates/.
//
// NOTE: the patterns name the chart files rather than the chart folders on
// purpose: a folder pattern would leave out templates/_helpers.tpl (go:embed
// skips names starting with '_' inside a folder it walks) and would carry the
// testdata folders into the binary.
//
//go:embed */Chart.yaml */values.yaml */values.schema.json */README.md */templates/*
var FS embed.FS
