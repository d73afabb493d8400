// Package templates holds the built-in presets, one folder each, and embeds
// them into the binary. It is its own package because go:embed cannot reach
// files above the package directory.
package templates

import "embed"

// FS holds every built-in preset folder: preset.yaml, values.yaml,
// values.schema.json, _helpers.tpl and the templates.
//
// NOTE: the patterns name files rather than folders on purpose: a folder
// pattern would leave out _helpers.tpl (go:embed skips names starting with
// '_' inside folders) and would carry the testdata folders into the binary.
//
//go:embed */*.yaml */*.tpl */*.json
var FS embed.FS
