package provider

import (
	"context"
	"go/token"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/gostrings"
)

// assignment is how messages name an attribute and the value to set it to:
// `fail_fast = false`, `skip_not_ready_nodes = true`, `timeouts { update = "30m" }`.
var assignment = regexp.MustCompile(`(?:^|[^\w."/-])([a-z][a-z0-9_]*[a-z0-9]) = (?:true|false|"|\d|\{)`)

// TestRemedyNamesExist: every attribute a string of the product's code tells
// users to set (`name = value`) is an attribute or block of the provider, of
// a resource or of a data source, so no error or description sends a user to
// an attribute that does not exist.
func TestRemedyNamesExist(t *testing.T) {
	known := schemaNames(t)
	found := 0
	err := gostrings.Each("..", nil, func(pos token.Position, s string) {
		for _, m := range assignment.FindAllStringSubmatchIndex(s, -1) {
			name, before := s[m[2]:m[3]], s[:m[2]]
			if strings.HasSuffix(before, "{ ") || strings.HasSuffix(before, ", ") {
				continue // A key of a map value, e.g. `{ cpu = "100m" }`.
			}
			found++
			if !known[name] {
				t.Errorf("%s: %q tells users to set %s, which no schema of the provider has", pos, s, name)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d attribute assignments checked", found)
	if found < 10 {
		t.Fatalf("found %d attribute assignments in the code; the pattern no longer matches how messages are written", found)
	}
}

// schemaNames is every attribute and block name of the provider's schemas,
// at any depth.
func schemaNames(t *testing.T) map[string]bool {
	t.Helper()
	ctx := context.Background()
	names := map[string]bool{}
	p := New("test")()
	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	collect(ps.Schema.Type().TerraformType(ctx), names)
	for _, f := range p.Resources(ctx) {
		var rs resource.SchemaResponse
		f().Schema(ctx, resource.SchemaRequest{}, &rs)
		collect(rs.Schema.Type().TerraformType(ctx), names)
	}
	for _, f := range p.DataSources(ctx) {
		var ds datasource.SchemaResponse
		f().Schema(ctx, datasource.SchemaRequest{}, &ds)
		collect(ds.Schema.Type().TerraformType(ctx), names)
	}
	if len(names) < 50 {
		keys := make([]string, 0, len(names))
		for k := range names {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Fatalf("only %d schema names: %v", len(names), keys)
	}
	return names
}

func collect(typ tftypes.Type, names map[string]bool) {
	switch v := typ.(type) {
	case tftypes.Object:
		for name, at := range v.AttributeTypes {
			names[name] = true
			collect(at, names)
		}
	case tftypes.List:
		collect(v.ElementType, names)
	case tftypes.Set:
		collect(v.ElementType, names)
	case tftypes.Map:
		collect(v.ElementType, names)
	}
}
