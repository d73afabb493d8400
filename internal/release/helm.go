package release

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	helmrelease "helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/csaupgrade"
	"sigs.k8s.io/yaml"
)

// Helm's marks on the objects of a release (helm install NAME -n NAMESPACE).
const (
	HelmReleaseNameAnnotation      = "meta.helm.sh/release-name"
	HelmReleaseNamespaceAnnotation = "meta.helm.sh/release-namespace"
)

// HelmRelease names a release that Helm (the helm CLI, or hashicorp/helm's
// helm_release) installed, whose objects an inventory adopts.
type HelmRelease struct {
	Namespace, Name string
}

// installed reports whether obj carries Helm's marks of rel.
func (rel HelmRelease) installed(obj *unstructured.Unstructured) bool {
	a := obj.GetAnnotations()
	return a[HelmReleaseNameAnnotation] == rel.Name && a[HelmReleaseNamespaceAnnotation] == rel.Namespace
}

// helmManager reports whether a field manager is Helm's. The helm CLI names
// itself "helm"; a program built on Helm's libraries that sets no name gets
// its binary's (Helm's kube.ManagedFieldsManager), e.g.
// "terraform-provider-helm_v3.0.2_x5" for hashicorp/helm.
func helmManager(name string) bool {
	return name == "helm" || strings.HasPrefix(name, "terraform-provider-helm")
}

// AdoptHelm takes over the objects of entries that rel installed: each that
// exists, is in no kubedaemon inventory and carries Helm's marks of rel.
// Helm writes with client-side patches, so its field managers own the
// fields it set; AdoptHelm hands them to inv.Client.FieldManager's
// server-side apply, as `kubectl apply --server-side` does for objects that
// client-side apply managed (client-go's csaupgrade). The next ApplyAll then
// changes them without a conflict, and removes what the render no longer
// sets (Helm's own marks among them) instead of leaving it to a manager
// that is gone. The object is not written otherwise: when the render is
// what Helm installed, ApplyAll changes only the marks, and no pod
// restarts. CheckOwnership accepts the adopted objects. It returns their
// keys; an error is a *ReadError or an *AdoptError.
func (inv *Inventory) AdoptHelm(ctx context.Context, rel HelmRelease, entries []Entry) (adopted []string, err error) {
	for _, e := range entries {
		obj, err := inv.get(ctx, e)
		if err != nil {
			return adopted, &ReadError{Key: e.Key, Err: err}
		}
		if obj == nil || obj.GetAnnotations()[InventoryAnnotation] != "" || !rel.installed(obj) {
			continue
		}
		if err := inv.takeOverFields(ctx, e, obj); err != nil {
			return adopted, &AdoptError{Key: e.Key, Release: rel, Err: err}
		}
		if inv.adopted == nil {
			inv.adopted = map[string]bool{}
		}
		inv.adopted[e.Key] = true
		adopted = append(adopted, e.Key)
	}
	return adopted, nil
}

// takeOverFields hands the fields Helm's managers own on obj to the
// inventory's field manager, with a JSON patch that fails if the object
// changed since it was read.
func (inv *Inventory) takeOverFields(ctx context.Context, e Entry, obj *unstructured.Unstructured) error {
	managers := sets.New[string]()
	for _, f := range obj.GetManagedFields() {
		if f.Operation == metav1.ManagedFieldsOperationUpdate && f.Subresource == "" && helmManager(f.Manager) {
			managers.Insert(f.Manager)
		}
	}
	if managers.Len() == 0 {
		return nil
	}
	patch, err := csaupgrade.UpgradeManagedFieldsPatch(obj, managers, inv.Client.FieldManager)
	if err != nil || patch == nil {
		return err
	}
	gvk, _, name, err := inv.target(e)
	if err != nil {
		return err
	}
	// The object was just read, so its kind maps.
	mapping, err := inv.Client.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return err
	}
	ri := inv.Client.Dynamic.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		_, err = ri.Namespace(obj.GetNamespace()).Patch(ctx, name, k8stypes.JSONPatchType, patch, metav1.PatchOptions{})
		return err
	}
	_, err = ri.Patch(ctx, name, k8stypes.JSONPatchType, patch, metav1.PatchOptions{})
	return err
}

// ForgetHelmRelease deletes Helm's records of rel, once ApplyAll has applied
// every entry: the release Secrets (or ConfigMaps, with Helm's configmap
// storage) labelled owner=helm,name=NAME in its namespace. Helm then no
// longer knows the release, so neither `helm uninstall` nor hashicorp/helm
// (which drops a helm_release whose release is gone from its state at the
// next refresh) can delete or change the objects kubedaemon now owns. It
// returns the keys of the objects that the last deployed revision installed
// and that entries lack: they stay in the cluster, and nothing manages them
// any more. Without records (adopted already, or never installed by Helm)
// it does nothing.
func (inv *Inventory) ForgetHelmRelease(ctx context.Context, rel HelmRelease, entries []Entry) (leftOver []string, err error) {
	selector := metav1.ListOptions{LabelSelector: "owner=helm,name=" + rel.Name}
	secrets := inv.Client.Clientset.CoreV1().Secrets(rel.Namespace)
	sl, err := secrets.List(ctx, selector)
	if err != nil {
		return nil, fmt.Errorf("list the records of Helm release %s/%s: %w", rel.Namespace, rel.Name, err)
	}
	configMaps := inv.Client.Clientset.CoreV1().ConfigMaps(rel.Namespace)
	cl, err := configMaps.List(ctx, selector)
	if err != nil {
		return nil, fmt.Errorf("list the records of Helm release %s/%s: %w", rel.Namespace, rel.Name, err)
	}
	records := map[string]string{} // record name: encoded release
	for _, s := range sl.Items {
		records["Secret/"+s.Name] = string(s.Data["release"])
	}
	for _, c := range cl.Items {
		records["ConfigMap/"+c.Name] = c.Data["release"]
	}
	if len(records) == 0 {
		return nil, nil
	}
	leftOver, err = helmLeftOver(records, rel, entries)
	if err != nil {
		return nil, err
	}
	for _, s := range sl.Items {
		if err := secrets.Delete(ctx, s.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return leftOver, fmt.Errorf("delete Helm's record Secret %s/%s: %w", rel.Namespace, s.Name, err)
		}
	}
	for _, c := range cl.Items {
		if err := configMaps.Delete(ctx, c.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return leftOver, fmt.Errorf("delete Helm's record ConfigMap %s/%s: %w", rel.Namespace, c.Name, err)
		}
	}
	return leftOver, nil
}

// helmLeftOver decodes the records and returns the keys of the objects of
// the newest deployed revision that entries do not hold.
func helmLeftOver(records map[string]string, rel HelmRelease, entries []Entry) ([]string, error) {
	var deployed *helmrelease.Release
	for name, enc := range records {
		r, err := decodeHelmRelease(enc)
		if err != nil {
			return nil, fmt.Errorf("read Helm's record %s of release %s/%s: %w", name, rel.Namespace, rel.Name, err)
		}
		if r.Info != nil && r.Info.Status == helmrelease.StatusDeployed && (deployed == nil || r.Version > deployed.Version) {
			deployed = r
		}
	}
	if deployed == nil {
		return nil, nil
	}
	have := map[string]bool{}
	for _, e := range entries {
		kind, ns, name, err := ParseObjectKey(e.Key)
		if err == nil {
			have[kind+"/"+ns+"/"+name] = true
			have[kind+"//"+name] = true // cluster-scoped, or namespaced without one in the manifest
		}
	}
	var out []string
	for _, doc := range releaseutil.SplitManifests(deployed.Manifest) {
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil || head.Kind == "" {
			continue
		}
		ns := head.Metadata.Namespace
		if have[head.Kind+"/"+ns+"/"+head.Metadata.Name] || (ns == "" && (have[head.Kind+"//"+head.Metadata.Name] ||
			have[head.Kind+"/"+rel.Namespace+"/"+head.Metadata.Name])) {
			continue
		}
		if ns == "" {
			ns = rel.Namespace
		}
		out = append(out, ObjectKey(head.Kind, ns, head.Metadata.Name))
	}
	slices.Sort(out)
	return out, nil
}

// decodeHelmRelease decodes a release as Helm's Secret and ConfigMap storage
// keep it: base64 of gzipped JSON. NOTE: Helm's own decoder is in
// pkg/storage/driver, which links every storage driver (SQL ones among
// them); the format has been the same since Helm 3.0.
func decodeHelmRelease(enc string) (*helmrelease.Release, error) {
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, err
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		defer func() { _ = zr.Close() }()
		if b, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	var r helmrelease.Release
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
