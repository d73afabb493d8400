package render

import (
	"errors"
	"os"
	"testing"
)

// FuzzValues renders node-exporter with arbitrary values documents: any
// input must give a result or an error, never a panic, and a result must be
// deterministic.
//
// NOTE: an exec renders twice (about 1.1 ms) and the golden seeds are about
// 300 bytes; Go minimizes every new interesting input with ~n²/2 execs, up to
// -fuzzminimizetime (60 s by default), and counts them only at the end, so
// the fuzzer reads "0/sec" for up to a minute per new input. Run it with
// -fuzzminimizetime=100x to keep the workers fuzzing.
func FuzzValues(f *testing.F) {
	for _, c := range goldenCases(f) {
		if c.preset != "node-exporter" {
			continue
		}
		b, err := os.ReadFile(c.valuesPath)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("port: 1234567890123\n"))
	f.Add([]byte("image: null\n"))
	f.Add([]byte("tolerations: [{operator: Exists}, 3, null]\n"))
	f.Add([]byte("- a\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		req := Request{Preset: "node-exporter", ValuesYAML: [][]byte{doc}}
		res, err := Render(req)
		if err != nil {
			return
		}
		again, err := Render(req)
		if err != nil {
			t.Fatalf("second render failed: %v", err)
		}
		if string(res.Manifest) != string(again.Manifest) {
			t.Fatal("two renders of the same values differ")
		}
	})
}

// FuzzSet feeds arbitrary --set, --set-string and --set-json expressions to
// fluent-bit, whose schema types many paths: parse errors must come back as
// *ValuesError, and nothing may panic.
func FuzzSet(f *testing.F) {
	f.Add("output.type=loki", "image.tag=1234567", `podLabels={"a":"b"}`)
	f.Add("metricsPort=2021", "logLevel=debug", `tolerations=[{"operator":"Exists"}]`)
	f.Add("input.multilineParsers={docker,cri}", "output.loki.labels=job=x", `output={"type":"stdout"}`)
	f.Add("tolerations[0].key=a", "a[1][2].b=c", `x=`)
	f.Add("a[99999999999]=x", "=", `[`)
	f.Add(`a\,b=c`, "a.b.c.d.e=null", `a=null`)
	f.Add("metricsPort=2021", "logLevel=debug", `tolerations=[{"":""}]`)
	f.Fuzz(func(t *testing.T, set, setString, setJSON string) {
		_, err := Render(Request{Preset: "fluent-bit", Set: []string{set}, SetString: []string{setString}, SetJSON: []string{setJSON}})
		if err == nil {
			return
		}
		var ve *ValuesError
		var te *TemplateError
		if !errors.As(err, &ve) && !errors.As(err, &te) {
			t.Fatalf("error %q is a %T, want *ValuesError or *TemplateError", err, err)
		}
	})
}
