package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is one running component. A process started by this process is
// watched through cmd.Wait; one found in a detached cluster's state file only
// by its pid.
type process struct {
	Name string   `json:"name"`
	Pid  int      `json:"pid"`
	Path string   `json:"path"`
	Args []string `json:"args"`

	done chan struct{} // closed when the process has exited; nil if not our child
	err  error         // cmd.Wait's result, valid after done
}

// startProcess runs bin with args, logging to <dir>/<name>.log. The child gets
// its own process group so that Stop can kill it with everything it spawned.
// Unless detached, it also gets SIGKILL when this process dies, so an
// interrupted `go test` leaves nothing behind; detached children start a new
// session and outlive the CLI that started them.
func startProcess(dir, name, bin string, args []string, detach bool) (*process, error) {
	logFile, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer func() { _ = logFile.Close() }() // the child holds its own descriptor

	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// GOTCHA: Pdeathsig fires when the thread that forked the child exits, not
	// the process. The Go runtime only ends threads of goroutines that exit
	// while locked to them, which this package never does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{Name: name, Pid: cmd.Process.Pid, Path: bin, Args: args, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports an error if the process is known to have ended.
func (p *process) exited(dir string) error {
	if p.done != nil {
		select {
		case <-p.done:
			//nolint:errorlint // p.err is nil after a clean exit, and %w would print it badly
			return fmt.Errorf("%s exited (%v); last lines of %s:\n%s", p.Name, p.err, p.logPath(dir), tail(p.logPath(dir), 20))
		default:
			return nil
		}
	}
	if !p.alive() {
		return fmt.Errorf("%s (pid %d) is not running; see %s", p.Name, p.Pid, p.logPath(dir))
	}
	return nil
}

func (p *process) logPath(dir string) string {
	return filepath.Join(dir, p.Name+".log")
}

// alive reports whether the pid still runs the recorded binary, so that a
// recycled pid is never mistaken for ours (nor killed).
func (p *process) alive() bool {
	if p.done != nil {
		select {
		case <-p.done:
			return false
		default:
			return true
		}
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/cmdline")
	if err != nil {
		return false
	}
	argv0, _, _ := bytes.Cut(cmdline, []byte{0})
	if string(argv0) != p.Path {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/stat")
	if err != nil {
		return false
	}
	// A zombie has exited; its parent has not reaped it yet.
	if i := bytes.LastIndexByte(stat, ')'); i > 0 && len(stat) > i+2 && stat[i+2] == 'Z' {
		return false
	}
	return true
}

// stop sends SIGTERM to the process group, and SIGKILL after grace (at
// once if grace is 0), then waits until the process is gone.
func (p *process) stop(grace time.Duration) error {
	if !p.alive() {
		return nil
	}
	sig := syscall.SIGTERM
	if grace <= 0 {
		sig = syscall.SIGKILL
	}
	if err := syscall.Kill(-p.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %s: %w", p.Name, err)
	}
	if sig == syscall.SIGTERM && !p.waitGone(grace) {
		_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	}
	if !p.waitGone(10 * time.Second) {
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.Name, p.Pid)
	}
	return nil
}

// waitGone waits up to d for the process to exit.
func (p *process) waitGone(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for p.alive() {
		if time.Now().After(deadline) {
			return false
		}
		if p.done != nil {
			select {
			case <-p.done:
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// rssKiB reads the resident set size from /proc.
func (p *process) rssKiB() int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) > 0 {
				n, _ := strconv.ParseInt(fields[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
