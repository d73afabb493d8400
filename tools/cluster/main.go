// Command cluster starts and stops the local Kubernetes cluster that the
// demo and manual testing use:
//
//	go run ./cluster up [--nodes N] [--name NAME] [--node-label k=v]... [--node-taint k=v:Effect]... [--large]
//	go run ./cluster down [--name NAME]
//	go run ./cluster status [--name NAME]
//	go run ./cluster build
//
// `up` leaves the processes running after it returns; `down` stops them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
)

const usage = `usage: cluster <command> [flags]

commands:
  up      build the binaries if needed, start a cluster and create its nodes
  down    stop a cluster and delete its state
  status  show a cluster's processes, memory and nodes
  build   only build the binaries

Run "cluster <command> -h" for the flags of a command.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "up":
		err = up(ctx, os.Args[2:])
	case "down":
		err = down(os.Args[2:])
	case "status":
		err = status(ctx, os.Args[2:])
	case "build":
		err = cluster.EnsureBinaries(ctx, os.Stderr)
		if err == nil {
			dir, _ := cluster.BinDir()
			fmt.Println("binaries in", dir)
		}
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func up(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	nodes := fs.Int("nodes", 3, "number of KWOK nodes")
	name := fs.String("name", "default", "cluster name (state under the cache dir)")
	large := fs.Bool("large", false, "large-cluster settings (automatic from 1000 nodes)")
	labels := map[string]string{}
	var taints []corev1.Taint
	fs.Func("node-label", "extra node label `key=value` (repeatable)", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			return fmt.Errorf("want key=value, got %q", s)
		}
		labels[k] = v
		return nil
	})
	fs.Func("node-taint", "extra node taint `key[=value]:Effect` (repeatable)", func(s string) error {
		t, err := parseTaint(s)
		if err == nil {
			taints = append(taints, t)
		}
		return err
	})
	_ = fs.Parse(args)

	c, err := cluster.Start(ctx, cluster.Options{
		Nodes:        *nodes,
		NodeLabels:   labels,
		NodeTaints:   taints,
		Name:         *name,
		Detach:       true,
		Log:          os.Stderr,
		LargeCluster: *large,
	})
	if err != nil {
		return err
	}
	fmt.Printf("cluster %q is up with %d nodes\nkubeconfig: %s\n  export KUBECONFIG=%s\nstop it with: go run ./cluster down --name %s\n",
		*name, *nodes, c.Kubeconfig, c.Kubeconfig, *name)
	return nil
}

// parseTaint reads kubectl's taint syntax: key=value:Effect or key:Effect.
func parseTaint(s string) (corev1.Taint, error) {
	kv, effect, ok := strings.Cut(s, ":")
	if !ok {
		return corev1.Taint{}, fmt.Errorf("want key[=value]:Effect, got %q", s)
	}
	k, v, _ := strings.Cut(kv, "=")
	switch e := corev1.TaintEffect(effect); e {
	case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		if k == "" {
			return corev1.Taint{}, fmt.Errorf("taint %q has no key", s)
		}
		return corev1.Taint{Key: k, Value: v, Effect: e}, nil
	}
	return corev1.Taint{}, fmt.Errorf("taint effect %q is not NoSchedule, PreferNoSchedule or NoExecute", effect)
}

func nameFlag(cmd string, args []string) string {
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	name := fs.String("name", "default", "cluster name")
	_ = fs.Parse(args)
	return *name
}

func down(args []string) error {
	name := nameFlag("down", args)
	c, err := cluster.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Printf("cluster %q is not running\n", name)
		return nil
	}
	if err != nil {
		return err
	}
	if err := c.Stop(); err != nil {
		return err
	}
	fmt.Printf("cluster %q stopped; removed %s\n", name, c.Dir)
	return nil
}

func status(ctx context.Context, args []string) error {
	name := nameFlag("status", args)
	c, err := cluster.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Printf("cluster %q is not running\n", name)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Printf("cluster %q in %s\nkubeconfig: %s\n", name, c.Dir, c.Kubeconfig)
	for _, s := range c.Components() {
		state := "running"
		if !s.Alive {
			state = "NOT RUNNING"
		}
		fmt.Printf("  %-24s pid %-7d %-11s RSS %5d MiB  log %s\n", s.Name, s.Pid, state, s.RSSKiB/1024, s.Log)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	nodes, err := c.Client().CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	ready := 0
	for _, n := range nodes.Items {
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	fmt.Printf("nodes: %d (%d Ready)\n", len(nodes.Items), ready)
	return nil
}
