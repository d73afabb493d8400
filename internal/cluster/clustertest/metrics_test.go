package clustertest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRequests(t *testing.T) {
	text := `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 3
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="cluster",subresource="",verb="LIST",version="v1"} 2
apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="binding",verb="POST",version="v1"} 7
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="resource",subresource="",verb="APPLY",version="v1"} 1e+03
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="nodes",scope="resource",subresource="",verb="PATCH",version="v1"} 40
apiserver_request_total{code="409",component="apiserver",dry_run="",group="",resource="nodes",scope="resource",subresource="",verb="PATCH",version="v1"} 2
apiserver_request_duration_seconds_count{resource="pods",verb="LIST"} 99
`
	got := parseRequests(text)
	want := Requests{"namespace/pods:LIST": 3, "cluster/pods:LIST": 2, "resource/pods/binding:POST": 7, "resource/nodes:APPLY": 1000,
		"resource/nodes:PATCH": 42, "resource/nodes:PATCH:409": 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseRequests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Requests{"namespace/pods:LIST": 2}, got.Since(Requests{"namespace/pods:LIST": 1, "cluster/pods:LIST": 2, "resource/pods/binding:POST": 7, "resource/nodes:APPLY": 1000,
		"resource/nodes:PATCH": 42, "resource/nodes:PATCH:409": 2})); diff != "" {
		t.Errorf("Since (-want +got):\n%s", diff)
	}
}
