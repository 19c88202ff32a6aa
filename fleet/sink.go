package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/glrunners/glrunners"
)

// Delivery names the runner a token belongs to.
type Delivery struct {
	Fleet    string
	Key      string
	RunnerID int64
}

// TokenSink receives the authentication token of each runner apply
// creates or whose token it resets. Put must not return before the token
// is stored durably: apply clears the runner's token-pending tag after
// Put returns nil, and never asks again. A Put called twice for one key
// replaces the first token (the first no longer authenticates).
type TokenSink interface {
	Put(ctx context.Context, d Delivery, token glrunners.Secret) error
}

// DirSink writes each token to Dir/<key>.token, mode 0600, replacing the
// file atomically (write, sync, rename), so that a crash leaves either
// the old file or the new one.
type DirSink struct{ Dir string }

// Put implements TokenSink.
func (s DirSink) Put(_ context.Context, d Delivery, token glrunners.Secret) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("token sink: %w", err)
	}
	tmp, err := os.CreateTemp(s.Dir, "."+d.Key+".token-*")
	if err != nil {
		return fmt.Errorf("token sink: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	// CreateTemp makes the file 0600; Chmod states it for umasks and
	// filesystems that do otherwise.
	err = errors.Join(tmp.Chmod(0o600), writeAll(tmp, token.Reveal()+"\n"), tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(s.Dir, d.Key+".token"))
	}
	if err == nil {
		err = syncDir(s.Dir)
	}
	if err != nil {
		return fmt.Errorf("token sink: writing %s.token: %w", d.Key, err)
	}
	return nil
}

func writeAll(f *os.File, s string) error {
	_, err := f.WriteString(s)
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // not every filesystem syncs directories
	return nil
}

// CommandSink runs a command for each token, with the token on stdin
// (followed by a newline) and RUNNERFLEET_FLEET, RUNNERFLEET_KEY and
// RUNNERFLEET_RUNNER_ID in its environment: for Vault, a Kubernetes
// secret, a password manager. Exit status 0 means stored. The command's
// output is discarded (it could echo the token); only its exit status is
// reported.
type CommandSink struct {
	// Argv is the command and its arguments; no shell is involved.
	Argv []string
}

// ShellSink is a CommandSink running a line through /bin/sh -c.
func ShellSink(line string) CommandSink { return CommandSink{Argv: []string{"/bin/sh", "-c", line}} }

// Put implements TokenSink.
func (s CommandSink) Put(ctx context.Context, d Delivery, token glrunners.Secret) error {
	if len(s.Argv) == 0 {
		return errors.New("token sink: no command")
	}
	cmd := exec.CommandContext(ctx, s.Argv[0], s.Argv[1:]...)
	cmd.Stdin = bytes.NewBufferString(token.Reveal() + "\n")
	cmd.Env = append(os.Environ(),
		"RUNNERFLEET_FLEET="+d.Fleet, "RUNNERFLEET_KEY="+d.Key, "RUNNERFLEET_RUNNER_ID="+strconv.FormatInt(d.RunnerID, 10))
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("token sink: command for %s exited with %s", d.Key, ee.ProcessState)
		}
		return fmt.Errorf("token sink: command for %s: %w", d.Key, err)
	}
	return nil
}
