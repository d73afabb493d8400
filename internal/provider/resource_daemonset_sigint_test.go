package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// TestAccDaemonSet_rolloutInterruptedBySIGINT: terraform apply gets SIGINT
// (Ctrl-C) while wave 2 of 3 soaks. Terraform stops the provider, the
// rollout records itself as unfinished and the apply ends at once; the next
// plan of the same configuration proposes to resume wave 2, and the apply
// finishes waves 2 and 3 without replacing wave 1's pods again.
//
// The real CLI runs command by command against the provider served in this
// process through TF_REATTACH_PROVIDERS, a new server for each command as a
// new plugin process would be, so that the signal goes to Terraform alone.
func TestAccDaemonSet_rolloutInterruptedBySIGINT(t *testing.T) {
	d := newReattachedDir(t)
	ns := testNamespace(t, "sigint")
	label, dev, prod := rolloutFleet(t)
	all := append(append([]string{}, dev...), prod...)
	wave2, wave3 := prod[:4], prod[4:]
	// timeouts.update is well past the soak: only the signal can stop the
	// apply before wave 2 has soaked.
	config := func(image, soak string) string {
		return reattachedProvider + wavesConfig(ns, label, image, "", "3m", fmt.Sprintf("soak = %q", soak))
	}
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	plan := []string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}

	d.write(config("agent:1", "60s"))
	d.mustRun(0, apply...)

	order := watchReadyOrder(t, ns, "agent:2")
	d.write(config("agent:2", "60s"))
	run := d.start(apply...)
	if err := waitForWave2Soak(run, ns, order, dev, wave2); err != nil {
		out, _ := run.stop(10 * time.Second)
		t.Fatalf("%v\nterraform apply:\n%s", err, out)
	}
	wave1UIDs, err := podUIDs(ns, dev)
	if err != nil {
		t.Fatal(err)
	}
	signalled := time.Now()
	if err := run.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("send SIGINT to terraform: %v", err)
	}
	out, code := run.stop(45 * time.Second)
	took := time.Since(signalled)
	t.Logf("terraform apply exited %d %s after SIGINT:\n%s", code, took.Round(100*time.Millisecond), out)
	switch {
	case code == 0:
		t.Fatalf("terraform apply interrupted in wave 2 exited 0:\n%s", out)
	case took > 30*time.Second:
		// Wave 2 soaks 60 s: an apply that ends later did not stop when
		// Terraform stopped the provider.
		t.Fatalf("terraform apply ended %s after SIGINT, so the provider did not stop its rollout:\n%s", took, out)
	case !strings.Contains(flat(out), "DaemonSet Rollout Interrupted") || !strings.Contains(flat(out), "wave 2/3 (50%) was interrupted"):
		t.Fatalf("terraform apply does not say that wave 2 was interrupted:\n%s", out)
	}
	if err := checkRecord(ns, rollout.ResultProgressing, 1); err != nil {
		t.Fatalf("after SIGINT: %v", err)
	}
	if err := checkFleet(ns, "agent:2", all, wave3, "agent:1")(nil); err != nil {
		t.Fatalf("after SIGINT: %v", err)
	}
	// Terraform saved what the provider returned on the way out: the new
	// template, with a rollout that is progressing in wave 2.
	if err := d.checkState("agent:2", "progressing", 1); err != nil {
		t.Fatalf("the state after SIGINT: %v", err)
	}

	out, code = d.run(plan...)
	if code != 2 || !strings.Contains(flat(out), "Unfinished Rollout") || !strings.Contains(flat(out), "resume rollout: wave 2/3 (50%)") {
		t.Fatalf("terraform plan of the same configuration after SIGINT: exit %d, want 2 and a resume of wave 2/3:\n%s", code, out)
	}
	t.Logf("terraform plan after SIGINT:\n%s", out)

	d.write(config("agent:2", "1s"))
	d.mustRun(0, apply...)
	if err := checkFleet(ns, "agent:2", all, nil, "")(nil); err != nil {
		t.Fatal(err)
	}
	after, err := podUIDs(ns, dev)
	if err != nil {
		t.Fatal(err)
	}
	for n, uid := range wave1UIDs {
		if after[n] != uid {
			t.Errorf("the resumed rollout replaced wave 1's pod on %s again (UID %s, then %s)", n, uid, after[n])
		}
	}
	if err := order.check(dev, wave2, wave3)(nil); err != nil {
		t.Error(err)
	}
	if err := checkRecord(ns, rollout.ResultComplete, 3); err != nil {
		t.Error(err)
	}
	if err := d.checkState("agent:2", "complete", 3); err != nil {
		t.Errorf("the state after the resumed apply: %v", err)
	}
	d.mustRun(0, plan...)
	d.mustRun(0, "destroy", "-auto-approve", "-input=false", "-no-color")
}

// waitForWave2Soak waits until the pods of wave 1 and of wave 2 are ready
// on the new template, as a pod watch of the test's own sees them, and the
// rollout record says wave 1 finished: wave 2 soaks then. It fails when
// terraform ends first.
func waitForWave2Soak(run *terraformRun, ns string, order *readyOrder, wave1, wave2 []string) error {
	deadline := time.After(90 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-run.done:
			return errors.New("terraform apply ended before wave 2 soaked")
		case <-deadline:
			return errors.New("wave 2's pods were not ready on agent:2 within 90s")
		case <-tick.C:
		}
		order.mu.Lock()
		ready := map[string]bool{}
		for _, ev := range order.events {
			if ev[0] == '=' {
				ready[ev[1:]] = true
			}
		}
		order.mu.Unlock()
		if slices.ContainsFunc(append(slices.Clone(wave1), wave2...), func(n string) bool { return !ready[n] }) {
			continue
		}
		if rec, err := liveRecord(ns); err == nil && rec.Done == 1 && rec.Result == rollout.ResultProgressing {
			return nil
		}
	}
}

// flat is Terraform's output with its line wrapping undone.
func flat(out string) string { return strings.Join(strings.Fields(out), " ") }

// podUIDs maps each of nodes to the UID of the agent pod it runs.
func podUIDs(ns string, nodes []string) (map[string]string, error) {
	pods, err := testCluster.Client().CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "name=agent"})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && slices.Contains(nodes, p.Spec.NodeName) {
			out[p.Spec.NodeName] = string(p.UID)
		}
	}
	if len(out) != len(nodes) {
		return nil, fmt.Errorf("pods on %v: %v, want one on each", nodes, out)
	}
	return out, nil
}

// liveRecord is the rollout record of the agent DaemonSet for its
// generation.
func liveRecord(ns string) (rollout.Record, error) {
	ds, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(context.Background(), "agent", metav1.GetOptions{})
	if err != nil {
		return rollout.Record{}, err
	}
	rec, ok := rollout.RecordOf(ds)
	if !ok {
		return rollout.Record{}, fmt.Errorf("daemonset %s/agent has no rollout record for generation %d: %q", ns, ds.Generation,
			ds.Annotations[rollout.RolloutAnnotation])
	}
	return rec, nil
}

func checkRecord(ns string, result rollout.Result, done int) error {
	rec, err := liveRecord(ns)
	if err != nil {
		return err
	}
	if rec.Result != result || rec.Done != done || rec.Waves != 3 {
		return fmt.Errorf("rollout record %+v, want result %s, %d/3 waves done", rec, result, done)
	}
	return nil
}

// reattachedProvider names the provider by its own address, which the
// reattached server is served under.
const reattachedProvider = `
terraform {
  required_providers {
    kubedaemon = {
      source = "kubedaemon/kubedaemon"
    }
  }
}
`

// reattachedDir is a Terraform working directory whose commands use the
// provider served in this process (TF_REATTACH_PROVIDERS), a new server for
// each command; there is no `terraform init`, as Terraform installs nothing
// for a provider it reattaches to.
type reattachedDir struct {
	t    *testing.T
	tf   string
	dir  string
	addr string
}

// newReattachedDir skips the test without the Terraform CLI.
func newReattachedDir(t *testing.T) *reattachedDir {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Skip("this test runs the Terraform CLI (1.11 or later): install it on PATH, or set TF_ACC_TERRAFORM_PATH to it")
		}
	}
	// With OpenTofu, kubedaemon/kubedaemon is registry.opentofu.org's
	// (see testacc-tofu in the GNUmakefile).
	host := "registry.terraform.io"
	if v := os.Getenv("TF_ACC_PROVIDER_HOST"); v != "" {
		host = strings.TrimSuffix(v, "/")
	}
	return &reattachedDir{t: t, tf: tf, dir: t.TempDir(), addr: host + "/kubedaemon/kubedaemon"}
}

func (d *reattachedDir) write(config string) {
	d.t.Helper()
	if err := os.WriteFile(filepath.Join(d.dir, "main.tf"), []byte(config), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

// terraformRun is one terraform command in progress and the provider
// server it uses.
type terraformRun struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan struct{}
	// stopServer stops the provider server once terraform has ended.
	stopServer func()
}

// start serves the provider and starts terraform with args.
func (d *reattachedDir) start(args ...string) *terraformRun {
	d.t.Helper()
	reattach, stopServer := serveReattached(d.t, d.addr)
	cmd := exec.Command(d.tf, args...)
	cmd.Dir = d.dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		stopServer()
		d.t.Fatalf("start terraform %v: %v", args, err)
	}
	r := &terraformRun{cmd: cmd, out: out, done: make(chan struct{}), stopServer: stopServer}
	go func() {
		_ = cmd.Wait()
		close(r.done)
	}()
	return r
}

// stop waits up to timeout for terraform to end (then kills it), stops the
// provider server, and returns terraform's output and exit code (-1 when
// it was killed).
func (r *terraformRun) stop(timeout time.Duration) (string, int) {
	code := -1
	select {
	case <-r.done:
		code = r.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	r.stopServer()
	return r.out.String(), code
}

// run runs terraform with args to its end (at most 3 minutes).
func (d *reattachedDir) run(args ...string) (string, int) {
	d.t.Helper()
	return d.start(args...).stop(3 * time.Minute)
}

// mustRun runs terraform and fails the test unless it exits with code.
func (d *reattachedDir) mustRun(code int, args ...string) string {
	d.t.Helper()
	out, got := d.run(args...)
	if got != code {
		d.t.Fatalf("terraform %s: exit %d, want %d\n%s", strings.Join(args, " "), got, code, out)
	}
	return out
}

// checkState reads terraform.tfstate: the DaemonSet's container image and
// its rollout_status.
func (d *reattachedDir) checkState(image, result string, done int) error {
	raw, err := os.ReadFile(filepath.Join(d.dir, "terraform.tfstate"))
	if err != nil {
		return err
	}
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("terraform.tfstate: %w", err)
	}
	for _, r := range st.Resources {
		if r.Type != "kubedaemon_daemonset" || len(r.Instances) != 1 {
			continue
		}
		attrs := r.Instances[0].Attributes
		if images := valuesOf(attrs["spec"], "image"); !slices.Equal(images, []any{image}) {
			return fmt.Errorf("images %v, want %s", images, image)
		}
		rs, _ := attrs["rollout_status"].(map[string]any)
		if rs["result"] != result || rs["waves_done"] != float64(done) {
			return fmt.Errorf("rollout_status %v, want result %s and waves_done %d", rs, result, done)
		}
		return nil
	}
	return fmt.Errorf("no kubedaemon_daemonset in terraform.tfstate:\n%s", raw)
}

// valuesOf collects the values of key in a decoded JSON value, depth first.
func valuesOf(v any, key string) []any {
	var out []any
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if k == key {
				out = append(out, v[k])
				continue
			}
			out = append(out, valuesOf(v[k], key)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, valuesOf(e, key)...)
		}
	}
	return out
}

// serveReattached serves a new instance of the provider under addr in
// debug mode and returns the TF_REATTACH_PROVIDERS value for it and a
// function that stops it.
func serveReattached(t *testing.T, addr string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	reattachCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- tf6server.Serve(addr, providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, reattachCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t),
			tf6server.WithoutLogStderrOverride())
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case <-closeCh:
			case <-time.After(10 * time.Second):
				t.Error("the provider server did not stop")
			}
		})
	}
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattachCh:
	case err := <-serveErr:
		cancel()
		t.Fatalf("serve the provider: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("the provider server did not start")
	}
	reattach, err := json.Marshal(map[string]any{
		addr: map[string]any{
			"Protocol": rc.Protocol, "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
			"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
		},
	})
	if err != nil {
		stop()
		t.Fatal(err)
	}
	return string(reattach), stop
}
