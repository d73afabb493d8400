package release

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// DryRunResult is what the API server said of one object in DryRunAll.
type DryRunResult struct {
	// Key is the entry's ObjectKey.
	Key string
	// Err is the API server's refusal (a *apierrors.StatusError), or the
	// error that kept the request from being answered.
	Err error
}

// Skipped reasons of DryRunAll: objects the API server cannot check yet
// because something the apply creates first is missing.
var (
	// ErrNamespaceMissing: the object's namespace does not exist yet (the
	// apply creates it when create_namespace is set).
	ErrNamespaceMissing = errors.New("namespace does not exist yet")
	// ErrKindNotServed: the object's kind is not served yet (its CRD is
	// created by the apply, from the chart's crds/).
	ErrKindNotServed = errors.New("kind not served yet")
)

// DryRunAll sends each entry as the server-side apply ApplyAll would make,
// with dryRun=All: the API server validates, defaults and admits each one
// and stores nothing. It returns one result per entry that was not
// accepted; Err is ErrNamespaceMissing or ErrKindNotServed (wrapped) for
// the objects it could not check yet. One request per entry.
func (inv *Inventory) DryRunAll(ctx context.Context, entries []Entry) []DryRunResult {
	var out []DryRunResult
	for _, e := range entries {
		obj, err := inv.object(e)
		if err != nil {
			out = append(out, DryRunResult{Key: e.Key, Err: &InvalidEntryError{Key: e.Key, Err: err}})
			continue
		}
		_, err = inv.Client.Apply(ctx, obj, rollout.ApplyOptions{Force: true, DryRun: true})
		switch {
		case err == nil:
			continue
		case meta.IsNoMatchError(err):
			err = fmt.Errorf("%w: %w", ErrKindNotServed, err)
		case MissingNamespace(err):
			err = fmt.Errorf("%w: %w", ErrNamespaceMissing, err)
		}
		out = append(out, DryRunResult{Key: e.Key, Err: err})
	}
	return out
}

// MissingNamespace reports whether err is the API server's answer that the
// object's namespace does not exist.
func MissingNamespace(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	d := status.Status().Details
	return d != nil && d.Kind == "namespaces"
}
