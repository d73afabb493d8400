package clustertest

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
)

// Requests are the API server's own counts of the requests it served
// (apiserver_request_total, every client), summed by "SCOPE/RESOURCE:VERB":
// "namespace/pods:LIST" (a list in one namespace), "cluster/nodes:LIST",
// "resource/nodes:APPLY" (one object); requests to a subresource count as
// "resource/pods/status:PATCH". Verbs are the API server's: LIST and WATCH
// for collections, GET for one object, APPLY for server-side apply. The
// scope tells a DaemonSet's pod list (one namespace) from kwok's, which
// lists pods across namespaces by node. A request refused with 409 Conflict
// (a write conditional on a resourceVersion that moved on) counts under its
// key and once more under the key with ":409" appended
// ("resource/nodes:PATCH:409"), so a sum over every key must skip those.
type Requests map[string]int

// APIRequests reads the API server's /metrics now.
func APIRequests(t testing.TB, c *cluster.Cluster) Requests {
	t.Helper()
	raw, err := c.Client().CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		t.Fatalf("read the API server's metrics: %v", err)
	}
	return parseRequests(string(raw))
}

var metricLabel = regexp.MustCompile(`(\w+)="([^"]*)"`)

func parseRequests(text string) Requests {
	out := Requests{}
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, "apiserver_request_total{")
		if !ok {
			continue
		}
		end := strings.LastIndex(rest, "} ")
		if end < 0 {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest[end+2:]), 64)
		if err != nil {
			continue
		}
		labels := map[string]string{}
		for _, m := range metricLabel.FindAllStringSubmatch(rest[:end], -1) {
			labels[m[1]] = m[2]
		}
		key := labels["scope"] + "/" + labels["resource"]
		if sub := labels["subresource"]; sub != "" {
			key += "/" + sub
		}
		key += ":" + labels["verb"]
		out[key] += int(v)
		if labels["code"] == "409" {
			out[key+":409"] += int(v)
		}
	}
	return out
}

// Since returns the requests served between before and r, by key; keys
// whose count did not change are left out.
func (r Requests) Since(before Requests) Requests {
	out := Requests{}
	for k, v := range r {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}
