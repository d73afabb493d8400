package release

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// fakeInventory is the inventory m/ne over a fake cluster that serves
// Services and holds objs.
func fakeInventory(objs ...runtime.Object) *Inventory {
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "Service"}, meta.RESTScopeNamespace)
	return &Inventory{ID: "m/ne", Client: &rollout.Client{
		Clientset: fake.NewClientset(),
		Dynamic:   dynamicfake.NewSimpleDynamicClient(runtime.NewScheme(), objs...),
		Mapper:    mapper,
	}}
}

// service is the Service m/<name> with the given inventory annotation (none
// when empty).
func service(name, inventory string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind("Service")
	u.SetNamespace("m")
	u.SetName(name)
	if inventory != "" {
		u.SetAnnotations(map[string]string{InventoryAnnotation: inventory})
	}
	return u
}

func serviceEntry(name string) Entry {
	return Entry{Key: ObjectKey("Service", "m", name), YAML: "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n"}
}

func TestCheckOwnership(t *testing.T) {
	tests := []struct {
		name    string
		cluster []runtime.Object
		entries []Entry
		// want is the start of each error's type and text (the API
		// machinery's wording follows).
		want []string
	}{
		{
			name:    "objects that do not exist yet",
			entries: []Entry{serviceEntry("ne")},
		},
		{
			name:    "objects of this inventory",
			cluster: []runtime.Object{service("ne", "m/ne")},
			entries: []Entry{serviceEntry("ne")},
		},
		{
			name:    "object of another release",
			cluster: []runtime.Object{service("ne", "other/ne")},
			entries: []Entry{serviceEntry("ne")},
			want:    []string{"*release.OwnedElsewhereError: Service/m/ne exists in the kubedaemon inventory other/ne"},
		},
		{
			name:    "object created by hand, next to one of ours",
			cluster: []runtime.Object{service("ne", "m/ne"), service("web", "")},
			entries: []Entry{serviceEntry("ne"), serviceEntry("web")},
			want:    []string{"*release.OwnedElsewhereError: Service/m/web exists outside any kubedaemon inventory"},
		},
		{
			name:    "kind the cluster does not serve, and a conflict after it",
			cluster: []runtime.Object{service("web", "")},
			entries: []Entry{
				{Key: "Widget/m/w", YAML: "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"},
				serviceEntry("web"),
			},
			want: []string{
				"*release.ReadError: object Widget/m/w: read Widget m/w: the cluster does not serve example.com/v1 Widget",
				"*release.OwnedElsewhereError: Service/m/web exists outside any kubedaemon inventory",
			},
		},
		{
			name:    "entry without a kind",
			entries: []Entry{{Key: "Service/m/ne", YAML: "apiVersion: a/b/c\n"}},
			want:    []string{`*release.ReadError: object Service/m/ne: unexpected GroupVersion string: a/b/c`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := fakeInventory(tt.cluster...).CheckOwnership(context.Background(), tt.entries)
			var got []string
			for _, err := range errs {
				got = append(got, fmt.Sprintf("%T: %v", err, err))
			}
			ok := len(got) == len(tt.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.HasPrefix(got[i], tt.want[i])
			}
			if !ok {
				t.Errorf("CheckOwnership errors:\n%s\nwant each to start with:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
