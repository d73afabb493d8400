package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// completionTimeout bounds the cluster call of a completion: a shell waits
// for it on every tab.
const completionTimeout = 2 * time.Second

// completeWaitArg completes `wait` arguments: the DaemonSets of the
// namespace (-n, else the context's) in the cluster the flags name, as
// daemonset/NAME, or as NAME after a TYPE argument. Without a reachable
// cluster it offers nothing.
func completeWaitArg(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	const none = cobra.ShellCompDirectiveNoFileComp
	flag := func(name string) string {
		if f := cmd.Flags().Lookup(name); f != nil {
			return f.Value.String()
		}
		return ""
	}
	cc, err := loadClusterConfig(flag("kubeconfig"), flag("context"))
	if err != nil {
		return nil, none
	}
	ns := flag("namespace")
	if ns == "" {
		ns = cc.namespace
	}
	cfg := *cc.rest
	cfg.Timeout = completionTimeout
	cs, err := kubernetes.NewForConfig(&cfg)
	if err != nil {
		return nil, none
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	list, err := cs.AppsV1().DaemonSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, none
	}
	prefix := "daemonset/"
	if len(args) > 0 && isDaemonSetType(args[len(args)-1]) || strings.Contains(toComplete, "/") && !strings.HasPrefix(toComplete, prefix) {
		prefix = ""
		if i := strings.Index(toComplete, "/"); i >= 0 {
			prefix = toComplete[:i+1]
		}
	}
	var out []string
	for _, ds := range list.Items {
		if word := prefix + ds.Name; strings.HasPrefix(word, toComplete) {
			out = append(out, word)
		}
	}
	return out, none
}
