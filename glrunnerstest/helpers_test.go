package glrunnerstest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// fixedNow is the clock most tests run on.
var fixedNow = time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)

func newServer(t *testing.T, opts ...glrunnerstest.Option) *glrunnerstest.Server {
	t.Helper()
	opts = append([]glrunnerstest.Option{glrunnerstest.WithNow(func() time.Time { return fixedNow })}, opts...)
	return glrunnerstest.New(t, opts...)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// form marks a urlencoded body.
type form url.Values

// call sends one request to the fake. body: nil, form, or anything else as
// JSON. token goes in PRIVATE-TOKEN when non-empty.
func call(t *testing.T, srv *glrunnerstest.Server, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case form:
		rd, ctype = strings.NewReader(url.Values(b).Encode()), "application/x-www-form-urlencoded"
	default:
		buf, err := json.Marshal(b)
		require.NoError(t, err)
		rd, ctype = strings.NewReader(string(buf)), "application/json"
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+"/api/v4"+path, rd)
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("PRIVATE-TOKEN", token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

func get(t *testing.T, srv *glrunnerstest.Server, path, token string) response {
	t.Helper()
	return call(t, srv, http.MethodGet, path, token, nil)
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

// ids reads the "id" of every element of a JSON array body.
func (r response) ids(t *testing.T) []int64 {
	t.Helper()
	var items []struct {
		ID int64 `json:"id"`
	}
	r.decode(t, &items)
	out := []int64{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

// world is a small organisation: group g (with subgroup sub), project p in
// g, project q in sub, and users with roles.
type world struct {
	srv                     *glrunnerstest.Server
	g, sub                  int64
	p, q                    int64
	owner, maint, dev       int64
	ownerTok, maintTok      string
	devTok, outsider        string
	outsiderID              int64
	groupRunner, projRunner int64
	instRunner              int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := newServer(t)
	w := &world{srv: srv}
	w.g = srv.AddGroup(glrunnerstest.Group{Name: "Platform"})
	w.sub = srv.AddGroup(glrunnerstest.Group{Name: "Networking", ParentID: w.g})
	w.p = srv.AddProject(glrunnerstest.Project{Name: "api", GroupID: w.g})
	w.q = srv.AddProject(glrunnerstest.Project{Name: "edge-proxy", GroupID: w.sub})
	w.owner, w.ownerTok = srv.AddUser(glrunnerstest.User{Username: "olivia"})
	w.maint, w.maintTok = srv.AddUser(glrunnerstest.User{Username: "mark"})
	w.dev, w.devTok = srv.AddUser(glrunnerstest.User{Username: "dana"})
	w.outsiderID, w.outsider = srv.AddUser(glrunnerstest.User{Username: "oscar"})
	srv.AddMember(w.owner, glrunnerstest.MemberGroup, w.g, glrunnerstest.Owner)
	srv.AddMember(w.maint, glrunnerstest.MemberProject, w.q, glrunnerstest.Maintainer)
	srv.AddMember(w.dev, glrunnerstest.MemberProject, w.q, glrunnerstest.Developer)
	w.instRunner = srv.AddRunner(glrunnerstest.Runner{Description: "shared", Status: glrunnerstest.StatusOnline})
	w.groupRunner = srv.AddRunner(glrunnerstest.Runner{Description: "grp", RunnerType: glrunnerstest.GroupType, GroupID: w.g, Status: glrunnerstest.StatusOnline})
	w.projRunner = srv.AddRunner(glrunnerstest.Runner{Description: "proj", RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{w.q}, Status: glrunnerstest.StatusOffline})
	return w
}

func decodeJSON(res *http.Response, v any) error {
	defer res.Body.Close()
	return json.NewDecoder(res.Body).Decode(v)
}

func ptrTo[T any](v T) *T { return &v }
