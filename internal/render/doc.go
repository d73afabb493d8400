// Package render turns a preset, which is a Helm chart (built in, a chart
// folder or a packaged .tgz), and a user's values into Kubernetes objects,
// exactly as `helm template` renders it: Helm's own chart loader, values
// coalescing (subcharts, globals, dependency conditions), template engine
// (every function and object Helm gives: .Chart, .Release, .Files,
// .Template, .Capabilities, lookup, tpl, required, fail, toToml, ...) and
// install order.
//
// What kubedaemon adds sits around Helm, each in one place:
//   - values: --set typed by the chart's values.schema.json (a string stays a
//     string), and schema errors that name the values path and the input
//     (file, flag or attribute) that set the bad value (values.go, schema.go);
//   - objects: built-in kinds decoded strictly into their typed objects, so a
//     misspelt field is an error naming the template; other kinds (custom
//     resources) pass as unstructured, with a scope the caller can check
//     (objects.go);
//   - placement: a namespaced object whose template writes no namespace gets
//     the release namespace in its metadata, so the manifest applies the same
//     way with kubectl; this is the one difference from helm template's
//     output;
//   - one YAML parse per rendered document, shared by Helm's install order
//     and the strict decoding, with the order proven equal to Helm's
//     releaseutil.SortManifests (sort.go);
//   - parsed charts cached by the digest of their files (chart.go), and
//     rendered files, parsed and decoded, by the digest of their template
//     name and text (cache.go): a render that gives the same text again
//     parses nothing; Helm's engine runs on every render.
//
// Helm's defaults apply: a missing value is empty unless Request.Strict, as
// helm lint --strict. The package has no Terraform dependency and does not
// talk to a cluster by itself: the provider passes the cluster's version, API
// versions, a scope check and a config for lookup in; the command line passes
// flags.
package render
