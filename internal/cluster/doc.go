// Package cluster runs a real, local Kubernetes control plane for tests and
// the demo: etcd, kube-apiserver, kube-controller-manager and kube-scheduler
// built from source at pinned versions, plus kwok, which fakes the kubelets
// of any number of nodes. Everything listens on 127.0.0.1 on ports chosen at
// start, so two clusters on one machine never collide.
//
// # Binaries
//
// EnsureBinaries (and Start, which calls it) builds the components with `go
// build` from the modules in the repository's tools/kube, tools/etcd and
// tools/kwok directories into $(os.UserCacheDir)/kubedaemon/bin/<versions>/
// (root overridable with KUBEDAEMON_CLUSTER_CACHE; tools/ is found by walking
// up from the working directory, or set KUBEDAEMON_TOOLS_DIR). The first
// build takes several minutes; later runs reuse the cache. A file lock
// serializes concurrent builders, and binaries are renamed into place only
// when complete. GOTCHA: `go test`'s default -timeout of 10m can expire
// during a cold build; build first (`cd tools && go run ./cluster build`) or
// pass -timeout 30m.
//
// # Use from a test
//
// Start one cluster per test binary in TestMain and stop it before exiting.
// The processes die with the test binary even when it is killed, because each
// is started with a parent-death signal:
//
//	var testCluster *cluster.Cluster
//
//	func TestMain(m *testing.M) {
//		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
//		c, err := cluster.Start(ctx, cluster.Options{Nodes: 3, Log: os.Stderr})
//		cancel()
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		testCluster = c
//		code := m.Run()
//		if err := c.Stop(); err != nil {
//			fmt.Fprintln(os.Stderr, err)
//		}
//		os.Exit(code)
//	}
//
// Use c.Kubeconfig (context "kubedaemon") for the provider or kubectl, and
// c.Client() or c.RESTConfig in Go. Do not defer Stop in TestMain: os.Exit
// skips deferred calls.
//
// # Nodes
//
// Nodes are named NodeName(i) ("kwok-node-0", ...), annotated
// kwok.x-k8s.io/node=fake, labelled kubernetes.io/hostname, kubernetes.io/os=linux,
// kubernetes.io/arch=amd64 and type=kwok, with 32 CPUs, 256Gi memory and 110
// pods, plus Options.NodeLabels and Options.NodeTaints. Start (and AddNodes)
// return once they are Ready and the not-ready taint is gone.
//
// # Pod behaviour (KWOK stages)
//
// A scheduled pod becomes Running and Ready at once, and is removed at once
// when deleted (so rolling updates and cascade deletion complete). Pods with
// restartPolicy Never or OnFailure then Succeed. Selected pods misbehave
// instead, chosen by an annotation or an image name:
//
//   - Image pull failure: annotation kubedaemon.dev/simulate=image-pull-error
//     (all containers), or an image containing "unpullable", e.g.
//     "registry.invalid/unpullable:1" (that container). The container waits with
//     reason ErrImagePull; the pod stays Pending and not Ready.
//   - Crash loop: annotation kubedaemon.dev/simulate=crash-loop (all
//     containers), or an image containing "crashloop" (that container). The
//     container waits with reason CrashLoopBackOff, restartCount 3, and
//     lastState.terminated exit code 1, reason Error; the pod is Running but
//     not Ready. An image-pull trigger wins over a crash-loop one.
//   - Volume that cannot be mounted: a hostPath volume of a type the kubelet
//     checks (Directory, File, Socket, CharDevice, BlockDevice) whose path
//     contains "nonexistent", as a wrong kubeletDir gives. Every container
//     waits in ContainerCreating, the pod stays Pending and not Ready, and a
//     Warning event FailedMount on the pod, from source kubelet, says why in
//     the kubelet's words ("MountVolume.SetUp failed for volume "x" : hostPath
//     type check failed: /nonexistent/... is not a directory"). It wins over
//     the other triggers, as the kubelet mounts volumes first.
//   - Slow start: annotation kubedaemon.dev/ready-delay holding a Go duration
//     ("2s", "500ms") keeps a healthy pod Pending that long before it becomes
//     Running and Ready, so rolling updates are observable. A value that does
//     not parse means no delay.
//
// Put the annotations in a DaemonSet's pod template. The constants below name
// them.
//
// # Scale
//
// From LargeClusterNodes nodes (or with Options.LargeCluster) the cluster
// runs without the node-lifecycle controller and the TaintNodesByCondition
// admission plugin, and kwok neither renews node Leases nor reports node
// status heartbeats: with thousands of nodes on two cores, lease renewals
// fall behind and node-lifecycle would mark everything NotReady; without
// node-lifecycle nothing reads the Leases or the heartbeats. Renewing the
// Leases kept half of an idle 5 000-node cluster's two cores busy, and the
// heartbeats came as a wave of 5 000 status patches five minutes after each
// write to every node (see stagesConfig).
//
// # CLI
//
// tools/cluster (`cd tools && go run ./cluster up|down|status|build`) starts a
// named cluster with Options.Detach: its processes outlive the command, their
// pids are in <cache>/clusters/<name>/state.json, and Open finds them again.
package cluster

// Triggers for the failure stages.
const (
	// SimulateAnnotation selects a simulated failure for a pod.
	SimulateAnnotation = "kubedaemon.dev/simulate"
	// SimulateImagePullError makes every container of the pod fail to pull.
	SimulateImagePullError = "image-pull-error"
	// SimulateCrashLoop makes every container of the pod crash-loop.
	SimulateCrashLoop = "crash-loop"
	// UnpullableImageMarker in an image name makes that container fail to pull.
	UnpullableImageMarker = "unpullable"
	// CrashLoopImageMarker in an image name makes that container crash-loop.
	CrashLoopImageMarker = "crashloop"
	// ReadyDelayAnnotation holds a Go duration a pod waits before it is Ready.
	ReadyDelayAnnotation = "kubedaemon.dev/ready-delay"
	// MissingHostPathMarker in the path of a hostPath volume of a checked
	// type (Directory, File, ...) makes the pod fail to mount it.
	MissingHostPathMarker = "nonexistent"
	// CrashLoopRestartCount is the restartCount a crash-looping container shows.
	CrashLoopRestartCount = 3
)
