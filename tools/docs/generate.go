// Package docs regenerates the provider documentation in docs/ from the
// provider's schema and the files in examples/.
//
// GOTCHA: tfplugindocs reads templates/ as its doc-template folder by default,
// but our templates/ holds presets; doc-templates/ is ours for tfplugindocs.
package docs

//go:generate terraform fmt -recursive ../../examples/
//go:generate go tool tfplugindocs generate --provider-dir ../.. --provider-name kubedaemon --rendered-provider-name kubedaemon --website-source-dir doc-templates --examples-dir examples
