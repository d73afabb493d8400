package release

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestObjectKeys(t *testing.T) {
	for _, key := range []string{"DaemonSet/monitoring/exporter", "ClusterRole//fluent-bit"} {
		kind, ns, name, err := ParseObjectKey(key)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if got := ObjectKey(kind, ns, name); got != key {
			t.Errorf("round trip of %q gave %q", key, got)
		}
	}
	for _, bad := range []string{"", "DaemonSet/x", "/ns/name", "DaemonSet/ns/", "a/b/c/d"} {
		if _, _, _, err := ParseObjectKey(bad); err == nil {
			t.Errorf("ParseObjectKey(%q) accepted a bad key", bad)
		}
	}
}

func TestSortKeys(t *testing.T) {
	// Kinds outside the install order (Widget, Gadget) share the last rank;
	// ties go by key.
	keys := []string{"DaemonSet/m/a", "Widget/m/w", "Service/m/a", "Gadget//g", "ServiceAccount/m/a", "ConfigMap/m/b", "ConfigMap/m/a"}
	sortKeys(keys)
	want := []string{"ServiceAccount/m/a", "ConfigMap/m/a", "ConfigMap/m/b", "Service/m/a", "DaemonSet/m/a", "Gadget//g", "Widget/m/w"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("sortKeys (-want +got):\n%s", diff)
	}
}

func TestDropped(t *testing.T) {
	e := func(key string) Entry { return Entry{Key: key, YAML: key} }
	tests := []struct {
		name      string
		old, keep []Entry
		want      []Entry
	}{
		{name: "nothing before", keep: []Entry{e("a")}},
		{name: "everything kept", old: []Entry{e("a"), e("b")}, keep: []Entry{e("b"), e("a")}},
		{name: "destroy drops all in order", old: []Entry{e("a"), e("b")}, want: []Entry{e("a"), e("b")}},
		{name: "one dropped", old: []Entry{e("a"), e("b"), e("c")}, keep: []Entry{e("a"), e("c"), e("d")}, want: []Entry{e("b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Dropped(tt.old, tt.keep)); diff != "" {
				t.Errorf("Dropped (-want +got):\n%s", diff)
			}
		})
	}
}
