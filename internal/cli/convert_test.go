package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func TestConvertCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), Build{Version: "test"}, []string{"convert", "../convert/testdata/hashicorp.tf"}, &out, &errOut); code != 0 {
		t.Fatalf("exit code %d: %s", code, errOut.String())
	}
	want, err := os.ReadFile("../convert/testdata/hashicorp.golden.tf")
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("output differs from ../convert/testdata/hashicorp.golden.tf:\n%s", out.String())
	}
	if !strings.Contains(errOut.String(), "warning: kubernetes_labels.cm: labels something else than a Node") {
		t.Errorf("standard error: %q", errOut.String())
	}

	out.Reset()
	errOut.Reset()
	if code := Run(context.Background(), Build{Version: "test"}, []string{"convert", "no-such.tf"}, &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "no-such.tf") {
		t.Errorf("a missing file: exit code %d, standard error %q", code, errOut.String())
	}
}
