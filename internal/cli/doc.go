// Package cli is the kubedaemon command line (render, presets, values,
// schema, readme, wait, version, completion). main.go runs it unless
// Terraform started the binary: Terraform's plugin handshake (its magic
// cookie in the environment) or -debug serves the provider instead; see
// ServesProvider.
package cli
