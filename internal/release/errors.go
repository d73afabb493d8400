package release

import "fmt"

// ReadError is an object of the inventory that could not be read, or whose
// entry does not say what to read. Err names the object.
type ReadError struct {
	Key string
	Err error
}

func (e *ReadError) Error() string { return e.Err.Error() }

func (e *ReadError) Unwrap() error { return e.Err }

// OwnedElsewhereError is an object that exists in the cluster without this
// inventory's annotation: it belongs to another release (Owner is that
// inventory's ID) or to nobody kubedaemon knows (Owner is empty: created by
// hand or by another tool).
type OwnedElsewhereError struct {
	Key   string
	Owner string
}

func (e *OwnedElsewhereError) Error() string {
	if e.Owner == "" {
		return fmt.Sprintf("%s exists outside any kubedaemon inventory", e.Key)
	}
	return fmt.Sprintf("%s exists in the kubedaemon inventory %s", e.Key, e.Owner)
}

// InvalidEntryError is an entry that does not make an object to apply: a
// malformed key or YAML. Err names the entry.
type InvalidEntryError struct {
	Key string
	Err error
}

func (e *InvalidEntryError) Error() string { return e.Err.Error() }

func (e *InvalidEntryError) Unwrap() error { return e.Err }

// ApplyError is an object the API server refused. Index is its position in
// install order, from 0 (so also how many objects were applied before it),
// of Total. MissingNamespace is the object's namespace when the refusal is
// a Not Found, which most often means that the namespace does not exist.
// Err names the object.
type ApplyError struct {
	Key              string
	Index, Total     int
	Err              error
	MissingNamespace string
}

func (e *ApplyError) Error() string {
	return fmt.Sprintf("%v (object %d of %d)", e.Err, e.Index+1, e.Total)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// DeleteError is an object that a release no longer has and that could not
// be read or deleted: it stays in the inventory. Err names the object.
type DeleteError struct {
	Key string
	Err error
}

func (e *DeleteError) Error() string { return e.Err.Error() }

func (e *DeleteError) Unwrap() error { return e.Err }

// AdoptError is an object of a Helm release whose fields could not be
// handed over to kubedaemon's field manager. Err names the object.
type AdoptError struct {
	Key     string
	Release HelmRelease
	Err     error
}

func (e *AdoptError) Error() string {
	return fmt.Sprintf("take over %s from Helm release %s/%s: %v", e.Key, e.Release.Namespace, e.Release.Name, e.Err)
}

func (e *AdoptError) Unwrap() error { return e.Err }
