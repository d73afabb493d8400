package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// streams carries what every subcommand writes to, so tests can capture it.
type streams struct {
	out    io.Writer
	errOut io.Writer
}

// commands lists the constructors of the subcommands. Each lives in its own file.
var commands = []func(version string, s streams) *cobra.Command{
	newVersionCommand,
	newWaitCommand,
	newRenderCommand, newPresetsCommand, newValuesCommand, newSchemaCommand,
}

// IsCommand reports whether arg names a subcommand (or asks for help), that is,
// whether a person rather than Terraform started the binary.
func IsCommand(arg string) bool {
	switch arg {
	case "help", "-h", "--help", "completion":
		return true
	}
	root := newRootCommand("", streams{out: io.Discard, errOut: io.Discard})
	for _, c := range root.Commands() {
		if c.Name() == arg || c.HasAlias(arg) {
			return true
		}
	}
	return false
}

// Execute runs the command line with args (without the program name) and
// returns the process exit code: 0 on success, 1 when the command failed.
func Execute(ctx context.Context, version string, args []string, out, errOut io.Writer) int {
	root := newRootCommand(version, streams{out: out, errOut: errOut})
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
		return 1
	}
	return 0
}

// exitError ends a command with a specific exit code after it has printed its
// own output (e.g. a wait that did not converge).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func newRootCommand(version string, s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "kubedaemon",
		Short: "Node daemons on Kubernetes: render presets, wait for DaemonSets",
		Long: "kubedaemon renders node-daemon presets (fluent-bit, fluentd, node-exporter, csi-node) " +
			"into Kubernetes manifests and waits for DaemonSets to converge.\n\n" +
			"The same binary is the Terraform provider registry.terraform.io/kubedaemon/kubedaemon: " +
			"Terraform starts it without arguments.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(s.out)
	root.SetErr(s.errOut)
	for _, newCmd := range commands {
		root.AddCommand(newCmd(version, s))
	}
	return root
}

func newVersionCommand(version string, s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the kubedaemon version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(s.out, version)
			return err
		},
	}
}
