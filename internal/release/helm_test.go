package release

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	helmrelease "helm.sh/helm/v3/pkg/release"
)

// encodeHelmRelease writes a release as Helm's Secret storage does.
func encodeHelmRelease(t *testing.T, r *helmrelease.Release) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func TestHelmLeftOver(t *testing.T) {
	rel := HelmRelease{Namespace: "monitoring", Name: "ne"}
	manifest := func(extra string) string {
		return `---
# Source: node-exporter/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ne
---
# Source: node-exporter/templates/daemonset.yaml
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ne
  namespace: monitoring
` + extra
	}
	records := map[string]string{
		"Secret/sh.helm.release.v1.ne.v1": encodeHelmRelease(t, &helmrelease.Release{
			Name: "ne", Version: 1, Info: &helmrelease.Info{Status: helmrelease.StatusSuperseded},
			Manifest: manifest("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n"),
		}),
		"Secret/sh.helm.release.v1.ne.v2": encodeHelmRelease(t, &helmrelease.Release{
			Name: "ne", Version: 2, Info: &helmrelease.Info{Status: helmrelease.StatusDeployed},
			Manifest: manifest("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ne\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ne\n"),
		}),
	}
	entries := []Entry{
		{Key: ObjectKey("ServiceAccount", "monitoring", "ne")},
		{Key: ObjectKey("DaemonSet", "monitoring", "ne")},
		{Key: ObjectKey("ClusterRole", "", "ne")},
	}
	got, err := helmLeftOver(records, rel, entries)
	if err != nil {
		t.Fatal(err)
	}
	// The deployed revision's Service is not rendered; the superseded
	// revision's ConfigMap is not Helm's any more.
	if diff := cmp.Diff([]string{ObjectKey("Service", "monitoring", "ne")}, got); diff != "" {
		t.Errorf("helmLeftOver (-want +got):\n%s", diff)
	}
	if _, err := helmLeftOver(map[string]string{"Secret/x": "not base64!"}, rel, entries); err == nil {
		t.Error("a record that is not Helm's encoding is no error")
	}
}

func TestHelmManager(t *testing.T) {
	for name, want := range map[string]bool{
		"helm": true, "terraform-provider-helm_v3.0.2_x5": true, "terraform-provider-helm": true,
		"kubectl-client-side-apply": false, "kubedaemon": false, "helmfile": false,
	} {
		if got := helmManager(name); got != want {
			t.Errorf("helmManager(%q) = %v, want %v", name, got, want)
		}
	}
}
