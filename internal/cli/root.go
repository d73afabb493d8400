package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// streams carries what every subcommand writes to, so tests can capture it.
type streams struct {
	out    io.Writer
	errOut io.Writer
}

// commands lists the constructors of the subcommands. Each lives in its own
// file; version (version.go) is added apart, as it needs the whole Build.
var commands = []func(version string, s streams) *cobra.Command{
	newWaitCommand, newRolloutCommand,
	newRenderCommand, newPresetsCommand, newValuesCommand, newSchemaCommand, newReadmeCommand,
	newConvertCommand,
}

// Build is what the binary knows about itself, set by the linker.
type Build struct {
	// Version is the kubedaemon release, e.g. v0.4.0 ("dev" when built
	// without -ldflags).
	Version string
	// Commit is the git commit the binary was built from ("" or "none"
	// when unknown).
	Commit string
}

// Execute runs the command line with args (without the program name) and
// returns the process exit code: 0 on success, 1 when the command failed.
// It is Run for a build that knows only its version.
func Execute(ctx context.Context, version string, args []string, out, errOut io.Writer) int {
	return Run(ctx, Build{Version: version}, args, out, errOut)
}

// Run runs the command line of build b with args (without the program
// name) and returns the process exit code: 0 on success, 2 for a usage
// error (an unknown command or flag, a wrong number of arguments), 1 when
// the command failed (wait has its own codes, see its --help).
func Run(ctx context.Context, b Build, args []string, out, errOut io.Writer) int {
	root := newBuildRootCommand(b, streams{out: out, errOut: errOut})
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(errOut, "Error:", ee.msg)
			}
			return ee.code
		}
		fmt.Fprintln(errOut, "Error:", err)
		// GOTCHA: cobra reports an unknown subcommand with a plain error
		// (its suggestions are built in unexported code); its text is the
		// only sign.
		if strings.HasPrefix(err.Error(), "unknown command ") {
			return exitUsage
		}
		return 1
	}
	return 0
}

// usageErrors makes every command's argument and flag errors usage errors
// (exit 2), keeping the commands' own flag-error handlers.
func usageErrors(root *cobra.Command) {
	asUsage := func(err error) error {
		var ee *exitError
		if err == nil || errors.As(err, &ee) {
			return err
		}
		return &exitError{code: exitUsage, msg: err.Error()}
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return asUsage(err) })
	for _, c := range root.Commands() {
		if args := c.Args; args != nil {
			c.Args = func(cmd *cobra.Command, a []string) error { return asUsage(args(cmd, a)) }
		}
	}
}

// exitError ends a command with a specific exit code after it has printed its
// own output (e.g. a wait that did not converge).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// newRootCommand is the command line of a build that knows only its version.
func newRootCommand(version string, s streams) *cobra.Command {
	return newBuildRootCommand(Build{Version: version}, s)
}

func newBuildRootCommand(b Build, s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "kubedaemon",
		Short: "Node daemons on Kubernetes: render presets, wait for DaemonSets",
		Long: "kubedaemon renders node-daemon presets (fluent-bit, fluentd, node-exporter, csi-node, " +
			"node-problem-detector, otel-collector-agent) " +
			"into Kubernetes manifests and waits for DaemonSets to converge.\n\n" +
			"The same binary is the Terraform provider registry.terraform.io/kubedaemon/kubedaemon: " +
			"Terraform starts it with its plugin handshake in the environment (TF_PLUGIN_MAGIC_COOKIE); " +
			"`terraform-provider-kubedaemon -debug` serves the provider for a debugger.\n\n" +
			"Shell completion: see `kubedaemon completion --help`.",
		Version:       versionText(b),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// The text is computed, not a template: --version prints it as is.
	root.SetVersionTemplate("{{.Version}}")
	// NOTE: declared here so cobra does not add its -v shorthand, which
	// kubectl users know as the log level.
	root.Flags().Bool("version", false, "print what the version command prints")
	root.SetOut(s.out)
	root.SetErr(s.errOut)
	root.AddCommand(newVersionCommand(b, s))
	for _, newCmd := range commands {
		root.AddCommand(newCmd(b.Version, s))
	}
	addCompletions(root)
	usageErrors(root)
	return root
}
