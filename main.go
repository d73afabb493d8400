// Command terraform-provider-kubedaemon serves the kubedaemon Terraform provider
// when Terraform starts it, and is the kubedaemon command line tool otherwise.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cli"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/gcstart"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/provider"
)

// version and commit are the one definition of this build's version: goreleaser
// (from the git tag) and `make build` (from the GNUmakefile's VERSION) set them
// with -ldflags "-X main.version=... -X main.commit=...". They reach
// `kubedaemon version`, the version Terraform sees, and the User-Agent the
// Kubernetes clients send. Without them a build is "dev", or what the Go
// toolchain recorded (cli.Build.WithBuildInfo).
var (
	version = "dev"
	commit  = "none"
)

func main() {
	build := cli.Build{Version: version, Commit: commit}.WithBuildInfo()
	k8s.SetBuild(build.Version, build.Commit)
	if !cli.ServesProvider(os.Getenv, os.Args[1:]) {
		os.Exit(cli.Run(context.Background(), build, os.Args[1:], os.Stdout, os.Stderr))
	}

	gcstart.Restore()
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(build.Version), providerserver.ServeOpts{
		Address: "registry.terraform.io/kubedaemon/kubedaemon",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
