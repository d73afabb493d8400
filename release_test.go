package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// goreleaserConfig is the part of .goreleaser.yml that the Terraform Registry
// and this binary depend on.
type goreleaserConfig struct {
	Version     int    `json:"version"`
	ProjectName string `json:"project_name"`
	Builds      []struct {
		Env     []string `json:"env"`
		Flags   []string `json:"flags"`
		LDFlags []string `json:"ldflags"`
		GOOS    []string `json:"goos"`
		GOARCH  []string `json:"goarch"`
		Binary  string   `json:"binary"`
	} `json:"builds"`
	Archives []struct {
		Formats      []string `json:"formats"`
		NameTemplate string   `json:"name_template"`
	} `json:"archives"`
	Checksum struct {
		NameTemplate string      `json:"name_template"`
		Algorithm    string      `json:"algorithm"`
		ExtraFiles   []extraFile `json:"extra_files"`
	} `json:"checksum"`
	Signs []struct {
		Artifacts string   `json:"artifacts"`
		Args      []string `json:"args"`
	} `json:"signs"`
	Release struct {
		ExtraFiles []extraFile `json:"extra_files"`
	} `json:"release"`
}

type extraFile struct {
	Glob         string `json:"glob"`
	NameTemplate string `json:"name_template"`
}

// TestGoreleaserConfig checks, without goreleaser, that .goreleaser.yml makes
// what the Terraform Registry requires of a provider release: a zip per
// platform holding terraform-provider-NAME_vVERSION, a SHA256SUMS file with
// its detached signature, and the registry manifest as _manifest.json; and
// that the ldflags set this package's version and commit. `make
// release-check` validates the rest with goreleaser itself.
func TestGoreleaserConfig(t *testing.T) {
	raw, err := os.ReadFile(".goreleaser.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserConfig
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf(".goreleaser.yml: %v", err)
	}
	check := func(what string, ok bool, got any) {
		t.Helper()
		if !ok {
			t.Errorf("%s: got %q", what, got)
		}
	}
	check("version is 2 (goreleaser v2)", c.Version == 2, c.Version)
	check("project_name", c.ProjectName == "terraform-provider-kubedaemon", c.ProjectName)

	if len(c.Builds) != 1 {
		t.Fatalf("want one build, got %d", len(c.Builds))
	}
	b := c.Builds[0]
	check("builds[0].env has CGO_ENABLED=0", slices.Contains(b.Env, "CGO_ENABLED=0"), b.Env)
	check("builds[0].flags has -trimpath", slices.Contains(b.Flags, "-trimpath"), b.Flags)
	ld := strings.Join(b.LDFlags, " ")
	check("builds[0].ldflags set main.version", strings.Contains(ld, "-X main.version={{ .Version }}"), ld)
	check("builds[0].ldflags set main.commit", strings.Contains(ld, "-X main.commit={{"), ld)
	check("builds[0].binary", b.Binary == "{{ .ProjectName }}_v{{ .Version }}", b.Binary)
	for _, goos := range []string{"linux", "darwin", "windows"} {
		check("builds[0].goos has "+goos, slices.Contains(b.GOOS, goos), b.GOOS)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		check("builds[0].goarch has "+arch, slices.Contains(b.GOARCH, arch), b.GOARCH)
	}

	if len(c.Archives) != 1 {
		t.Fatalf("want one archive, got %d", len(c.Archives))
	}
	a := c.Archives[0]
	check("archives[0].formats", slices.Equal(a.Formats, []string{"zip"}), a.Formats)
	check("archives[0].name_template", a.NameTemplate == "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}", a.NameTemplate)

	check("checksum.name_template", c.Checksum.NameTemplate == "{{ .ProjectName }}_{{ .Version }}_SHA256SUMS", c.Checksum.NameTemplate)
	check("checksum.algorithm", c.Checksum.Algorithm == "sha256", c.Checksum.Algorithm)
	manifest := extraFile{Glob: "terraform-registry-manifest.json", NameTemplate: "{{ .ProjectName }}_{{ .Version }}_manifest.json"}
	check("checksum.extra_files has the manifest", slices.Contains(c.Checksum.ExtraFiles, manifest), c.Checksum.ExtraFiles)
	check("release.extra_files has the manifest", slices.Contains(c.Release.ExtraFiles, manifest), c.Release.ExtraFiles)

	if len(c.Signs) != 1 {
		t.Fatalf("want one signing step, got %d", len(c.Signs))
	}
	s := c.Signs[0]
	check("signs[0].artifacts", s.Artifacts == "checksum", s.Artifacts)
	for _, arg := range []string{"--batch", "--detach-sign", "${signature}", "${artifact}"} {
		check("signs[0].args has "+arg, slices.Contains(s.Args, arg), s.Args)
	}

	// The manifest the registry reads: protocol 6, which providerserver serves.
	raw, err = os.ReadFile(manifest.Glob)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", manifest.Glob, err)
	}
	check(manifest.Glob+" protocol_versions", m.Version == 1 && slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}), m.Metadata.ProtocolVersions)
}

// TestVersionDefaults: the variables the ldflags set exist (the test would not
// build otherwise) and say "dev" until they are set.
func TestVersionDefaults(t *testing.T) {
	if version != "dev" || commit != "none" {
		t.Errorf("version, commit = %q, %q; want the defaults dev, none", version, commit)
	}
}
