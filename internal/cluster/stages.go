package cluster

import (
	"bytes"
	"embed"
	"io/fs"
	"sort"
)

// stageFiles are the KWOK Stage objects the fake kubelets follow. kwok has no
// built-in stages: without these, nodes never become Ready and pods never run.
//
//go:embed stages/*.yaml
var stageFiles embed.FS

// stagesConfig joins the embedded stages into one multi-document YAML file for
// kwok's --config, in file-name order so the file is deterministic.
func stagesConfig() ([]byte, error) {
	names, err := fs.Glob(stageFiles, "stages/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for i, name := range names {
		data, err := stageFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(data)
	}
	return buf.Bytes(), nil
}
