// Package release installs, reads back and removes the objects of one
// kubedaemon_preset release, keeping track of them with an inventory. It has
// no Terraform dependency: it returns Go values and typed errors, and the
// provider (internal/provider) turns them into diagnostics.
//
// # Inventory
//
// Every object a release applies carries three marks: the managed-by label
// (ManagedByLabel=ManagedByValue, to list them), the inventory annotation
// (InventoryAnnotation, the release's namespace/name, to tell releases
// apart) and the applied annotation (AppliedAnnotation, the YAML the object
// was applied with, to import a release as it was applied). An Entry is one
// object of the inventory: its key, ObjectKey(kind, namespace, name), and
// that YAML; entries are kept in install order (internal/render's
// InstallRank), and deleted in the reverse order.
//
// # Ownership
//
// An object that exists without this release's inventory annotation belongs
// to someone else (a person, another tool, another release):
// CheckOwnership reports each as an *OwnedElsewhereError before anything is
// applied, and Prune leaves such an object in place. ApplyAll forces
// server-side apply, which is what puts back fields changed on the
// release's own objects; the caller checks ownership first unless it means
// to take the objects over.
//
// # Drift
//
// Refresh reads every object back and compares only the fields the object
// was applied with (its YAML with the inventory marks, which overwrite a
// chart's own managed-by label; not defaults, status or other managers'
// fields) to the cluster's. Each field that differs becomes one "# drift: " comment line on
// top of the entry's YAML, so that the next plan shows the change and the
// next apply puts it back; the comments are stripped before comparing again
// and are never applied. Labels and annotations that Inventory.Ignore
// matches (the provider's ignore_labels and ignore_annotations) are left out
// of the comparison.
//
// # Adopting a Helm release
//
// AdoptHelm takes over the objects that a Helm release installed (they carry
// Helm's meta.helm.sh/release-name and release-namespace annotations):
// their fields move from Helm's field managers to the inventory's, and
// CheckOwnership accepts them, so that ApplyAll marks them without
// recreating anything. ForgetHelmRelease then deletes Helm's records of the
// release, so that Helm can no longer uninstall or upgrade the objects.
package release
