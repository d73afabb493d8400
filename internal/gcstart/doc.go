// Package gcstart makes the garbage collector of a kubedaemon process run
// less often, from before the heavy package initialisations of the binary
// (Kubernetes' schemes, JSON schema meta-schemas, Helm) until the process
// says it is the Terraform provider.
//
// A command line run of kubedaemon (render, values, schema, ...) lives for
// tens of milliseconds and allocates tens of megabytes; with Go's default
// (GOGC=100: collect each time the heap doubles, the first time at 4 MB) it
// collects several times during start-up alone. With GCPercent the heap
// may grow to five times what is live before a collection, which a short
// run rarely reaches; a long one (kubedaemon wait) still collects. The
// provider keeps Go's default: main calls Restore before serving it.
//
// NOTE: this works because Go initialises packages in import path order
// among those whose imports are initialised (the Go spec since Go 1.21):
// this package imports only the standard library, and its path sorts before
// the heavy ones (helm.sh, k8s.io, github.com/santhosh-tekuri, ...).
package gcstart
