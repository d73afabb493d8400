// Package cli is the kubedaemon command line: the subcommands that the provider
// binary runs when a person starts it with one (render, presets, values,
// schema, wait, version). Terraform starts the binary without arguments, and
// main.go then serves the provider instead.
package cli
