package provider

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var daemonSetIdentityType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
	"namespace": tftypes.String, "name": tftypes.String, "api_version": tftypes.String, "kind": tftypes.String,
}}

// identityOf decodes an identity the provider returned.
func identityOf(t *testing.T, d *tfprotov6.ResourceIdentityData) map[string]string {
	t.Helper()
	if d == nil || d.IdentityData == nil {
		t.Fatal("no identity")
	}
	v, err := d.IdentityData.Unmarshal(daemonSetIdentityType)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, a := range attrs {
		var s string
		if err := a.As(&s); err != nil {
			t.Fatal(err)
		}
		out[k] = s
	}
	return out
}

// The identity has hashicorp/kubernetes's shape and version, which OpenTofu
// keeps on a moved resource: the provider declares version 1 with the same
// attributes.
func TestDaemonSetIdentitySchema(t *testing.T) {
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s := resp.IdentitySchemas["kubedaemon_daemonset"]
	if s == nil {
		t.Fatalf("kubedaemon_daemonset has no identity schema: %s", diagSummaries(resp.Diagnostics))
	}
	if s.Version != 1 || len(s.IdentityAttributes) != 4 {
		t.Errorf("identity schema version %d with %d attributes, want version 1 with namespace, name, api_version, kind", s.Version, len(s.IdentityAttributes))
	}
}

// An import block's identity imports the DaemonSet it names; a move from
// hashicorp/kubernetes sets the identity too.
func TestDaemonSetIdentityImportAndMove(t *testing.T) {
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	identity, err := tfprotov6.NewDynamicValue(daemonSetIdentityType, tftypes.NewValue(daemonSetIdentityType, map[string]tftypes.Value{
		"namespace": tftypes.NewValue(tftypes.String, "monitoring"), "name": tftypes.NewValue(tftypes.String, "exporter"),
		"api_version": tftypes.NewValue(tftypes.String, nil), "kind": tftypes.NewValue(tftypes.String, nil),
	}))
	if err != nil {
		t.Fatal(err)
	}
	imp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "kubedaemon_daemonset", Identity: &tfprotov6.ResourceIdentityData{IdentityData: &identity},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Diagnostics) > 0 || len(imp.ImportedResources) != 1 {
		t.Fatalf("import: %d resources, diagnostics: %s", len(imp.ImportedResources), diagSummaries(imp.Diagnostics))
	}
	want := map[string]string{"namespace": "monitoring", "name": "exporter", "api_version": "apps/v1", "kind": "DaemonSet"}
	if diff := cmp.Diff(want, identityOf(t, imp.ImportedResources[0].Identity)); diff != "" {
		t.Errorf("imported identity (-want +got):\n%s", diff)
	}

	moved, _ := moveState(t, "kubernetes_daemon_set_v1", 1, "kubedaemon_daemonset", readTestdata(t, "kubernetes_daemon_set_v1.logd.v1.json"))
	if len(moved.Diagnostics) > 0 {
		t.Fatalf("move: %s", diagSummaries(moved.Diagnostics))
	}
	want = map[string]string{"namespace": "default", "name": "logd", "api_version": "apps/v1", "kind": "DaemonSet"}
	if diff := cmp.Diff(want, identityOf(t, moved.TargetIdentity)); diff != "" {
		t.Errorf("moved identity (-want +got):\n%s", diff)
	}
}
