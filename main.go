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
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/provider"
)

// version and commit are set by goreleaser or `make build` through -ldflags
// (-X main.version=... -X main.commit=...).
var (
	version = "dev"
	commit  = "none"
)

func main() {
	if !cli.ServesProvider(os.Getenv, os.Args[1:]) {
		os.Exit(cli.Run(context.Background(), cli.Build{Version: version, Commit: commit}, os.Args[1:], os.Stdout, os.Stderr))
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/kubedaemon/kubedaemon",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
