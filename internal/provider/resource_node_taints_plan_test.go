package provider

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// planDiagnostic is a diagnostic of `terraform plan -json`'s machine-readable
// UI (a message of type "diagnostic").
type planDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// terraformPlan runs the real `terraform init` and `terraform plan -json`
// on config in a directory of its own, with this provider served in-process
// through Terraform's reattach mode (as terraform-plugin-testing serves it),
// and returns the plan's diagnostics. NOTE: terraform-plugin-testing keeps
// warnings to itself (neither plancheck nor ExpectError sees them), so a
// test that a plan warns must run Terraform itself.
func terraformPlan(t *testing.T, config string) []planDiagnostic {
	t.Helper()
	out := newTerraformDir(t, config).run("plan", "-json", "-input=false", "-lock=false")

	var diags []planDiagnostic
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		var msg struct {
			Type       string         `json:"type"`
			Diagnostic planDiagnostic `json:"diagnostic"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
			t.Fatalf("terraform plan -json printed a line that is not JSON: %q", sc.Text())
		}
		if msg.Type == "diagnostic" {
			diags = append(diags, msg.Diagnostic)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return diags
}

// terraformDir is a Terraform working directory, initialised, whose
// kubedaemon provider is served in-process through Terraform's reattach
// mode: tests and benchmarks run the real CLI command by command.
type terraformDir struct {
	tb  testing.TB
	ctx context.Context
	tf  string
	dir string
	env []string
}

// sinkTB adds the Parallel method that the provider server's logging sink
// wants of a testing.T to any testing.TB, a benchmark's too.
type sinkTB struct{ testing.TB }

func (sinkTB) Parallel() {}

// newTerraformDir serves the provider until the test ends, writes config
// as main.tf and runs `terraform init`.
func newTerraformDir(tb testing.TB, config string) *terraformDir {
	tb.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tb.Fatal("TF_ACC_TERRAFORM_PATH is not set; TestMain sets it with TF_ACC")
	}
	ctx, cancel := context.WithCancel(context.Background())
	reattachCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- tf6server.Serve("registry.terraform.io/hashicorp/kubedaemon",
			providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, reattachCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(sinkTB{tb}),
			tf6server.WithoutLogStderrOverride())
	}()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(10 * time.Second):
			tb.Error("the provider server did not stop")
		}
	})
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattachCh:
	case err := <-serveErr:
		tb.Fatalf("serve the provider: %v", err)
	case <-time.After(30 * time.Second):
		tb.Fatal("the provider server did not start")
	}
	reattach, err := json.Marshal(map[string]any{
		"registry.terraform.io/hashicorp/kubedaemon": map[string]any{
			"Protocol": rc.Protocol, "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
			"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	d := &terraformDir{
		tb: tb, ctx: ctx, tf: tf, dir: tb.TempDir(),
		env: append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(reattach), "TF_IN_AUTOMATION=1"),
	}
	d.write(config)
	d.run("init", "-input=false", "-no-color")
	return d
}

// write replaces the configuration.
func (d *terraformDir) write(config string) {
	d.tb.Helper()
	if err := os.WriteFile(filepath.Join(d.dir, "main.tf"), []byte(config), 0o600); err != nil {
		d.tb.Fatal(err)
	}
}

// run runs terraform with args and returns its standard output; a failure
// ends the test with both outputs.
func (d *terraformDir) run(args ...string) []byte {
	d.tb.Helper()
	cmd := exec.CommandContext(d.ctx, d.tf, args...)
	cmd.Dir, cmd.Env = d.dir, d.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		d.tb.Fatalf("terraform %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, out, stderr.String())
	}
	return out
}
