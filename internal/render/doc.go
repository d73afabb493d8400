// Package render turns a preset (a folder of Go templates with sprig
// functions, default values and a JSON schema) and a user's values into
// Kubernetes objects, the way Helm renders a chart but without charts,
// subcharts or a release store.
//
// Render coalesces the preset's defaults with values files and --set style
// overrides (Helm's semantics: maps merge, lists and scalars replace, null
// deletes), validates the result against the preset's values.schema.json,
// executes every template in strict mode, decodes every object strictly into
// its typed Kubernetes object and returns them in install order. Errors name
// the template file and line, or the values path and the source that set it.
//
// Objects are placed as Helm's install places them: a namespaced object
// whose template writes no namespace gets the release namespace (added to
// its metadata, so the manifest applies the same way with kubectl), and a
// cluster-scoped one has none. Result says which release name and
// namespace were used; Info reads a preset's metadata and InstallRank the
// order of a kind, for callers that read objects back from a cluster.
//
// The package has no Terraform dependency: the provider and the command line
// both call it.
package render
