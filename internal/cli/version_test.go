package cli

import (
	"runtime/debug"
	"testing"
)

// TestWithBuildInfo: -ldflags win; without them, a `go install ...@version`
// build shows its module version and a checkout build its commit.
func TestWithBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build Build
		info  debug.BuildInfo
		want  Build
	}{
		{
			name:  "ldflags set",
			build: Build{Version: "0.1.0", Commit: "0123abc"},
			info:  debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "fedcba9876543210"}}},
			want:  Build{Version: "0.1.0", Commit: "0123abc"},
		},
		{
			name:  "go install at a version",
			build: Build{Version: "dev", Commit: "none"},
			info:  debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}},
			want:  Build{Version: "0.2.0", Commit: "none"},
		},
		{
			name:  "go build in a checkout",
			build: Build{Version: "dev", Commit: "none"},
			info:  debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "fedcba9876543210"}}},
			want:  Build{Version: "dev", Commit: "fedcba9"},
		},
		{
			name:  "nothing recorded",
			build: Build{Version: "dev", Commit: "none"},
			want:  Build{Version: "dev", Commit: "none"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.build.withBuildInfo(&tc.info); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
