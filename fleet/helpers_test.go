package fleet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

type env struct {
	srv *glrunnerstest.Server
	c   *glrunners.Client
	r   *Reconciler
	dir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := glrunnerstest.NewServer()
	t.Cleanup(srv.Close)
	c, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	require.NoError(t, err)
	return &env{srv: srv, c: c, r: New(c, Options{Concurrency: 4}), dir: t.TempDir()}
}

func (e *env) parse(t *testing.T, doc string) *File {
	t.Helper()
	f, err := Parse("fleet.yaml", []byte(doc))
	require.NoError(t, err)
	return f
}

func (e *env) plan(t *testing.T, f *File, o PlanOptions) *Plan {
	t.Helper()
	p, err := e.r.Plan(context.Background(), f, o)
	require.NoError(t, err)
	return p
}

// writes counts the requests other than GET since the log had n entries.
func (e *env) writes(n int) int {
	w := 0
	for _, q := range e.srv.Requests()[n:] {
		if q.Method != "GET" {
			w++
		}
	}
	return w
}

func (e *env) token(t *testing.T, key string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, key+".token"))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}

func (e *env) runnerByKey(t *testing.T, fleet, key string) []glrunnerstest.Runner {
	var out []glrunnerstest.Runner
	for _, r := range e.srv.Runners() {
		for _, tag := range r.TagList {
			if tag == keyTag(fleet, key) {
				out = append(out, r)
			}
		}
	}
	return out
}
