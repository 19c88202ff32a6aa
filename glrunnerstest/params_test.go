package glrunnerstest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Array parameters take the forms Rack's parser gives Grape: the comma
// form, k[]=a&k[]=b, and a repeated bare key, which keeps its last value.
func TestQueryArrays(t *testing.T) {
	t.Parallel()
	srv, ids := fleet(t)
	all := []int64{ids["online"], ids["offline"], ids["stale"], ids["staleNever"], ids["never"], ids["pausedOnline"]}
	docker := []int64{ids["online"], ids["offline"], ids["pausedOnline"]}
	dockerLinux := []int64{ids["online"], ids["pausedOnline"]}
	rows := []struct {
		query string
		want  []int64
	}{
		{"tag_list=docker,linux", dockerLinux},
		{"tag_list=docker%2C%20linux", dockerLinux},
		{"tag_list[]=docker&tag_list[]=linux", dockerLinux},
		{"tag_list%5B%5D=docker&tag_list%5B%5D=linux", dockerLinux},
		{"tag_list[]=docker,linux", dockerLinux}, // list entries are split on commas too
		{"tag_list=arm64&tag_list=docker", docker},
		{"tag_list=linux&tag_list=docker", docker},
		{"tag_list[]=arm64&tag_list=docker", docker}, // a bare key replaces an earlier list
		{"tag_list", all},   // no "=": null, no filter
		{"tag_list[]", all}, // an empty list
		{"paused&status=online", []int64{ids["online"], ids["pausedOnline"]}},
		{"type=group_type&type=instance_type", []int64{ids["online"], ids["offline"], ids["never"], ids["pausedOnline"]}},
	}
	for _, row := range rows {
		res := get(t, srv, "/runners/all?"+row.query, srv.AdminToken())
		require.Equal(t, http.StatusOK, res.status, "%s: %s", row.query, res.body)
		assert.Equal(t, row.want, res.ids(t), row.query)
	}

	bad := []struct{ query, body string }{
		{"tag_list=docker&tag_list[]=linux", "{\"message\":\"400 Bad request - expected Array (got String) for param `tag_list'\"}"},
		{"tag_list[x]=docker&tag_list[]=linux", "{\"message\":\"400 Bad request - expected Array (got Hash) for param `tag_list'\"}"},
		{"tag_list[]=docker&tag_list[x]=linux", "{\"message\":\"400 Bad request - expected Hash (got Array) for param `tag_list'\"}"},
		{"tag_list[x]=docker", `{"error":"tag_list is invalid"}`},
	}
	for _, row := range bad {
		res := get(t, srv, "/runners/all?"+row.query, srv.AdminToken())
		assert.Equal(t, http.StatusBadRequest, res.status, row.query)
		assert.JSONEq(t, row.body, string(res.body), row.query)
	}
}

// Form bodies follow the same rules, and the body replaces the query key
// by key.
func TestFormBodyArrays(t *testing.T) {
	t.Parallel()
	srv, ids := fleet(t)
	id := ids["offline"]
	put := func(query, body string) map[string]any {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPut,
			fmt.Sprintf("%s/api/v4/runners/%d?%s", srv.URL(), id, query), strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("PRIVATE-TOKEN", srv.AdminToken())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var out map[string]any
		require.NoError(t, decodeJSON(res, &out))
		require.Equal(t, http.StatusOK, res.StatusCode, "%s / %s: %v", query, body, out)
		return out
	}
	assert.Equal(t, []any{"b"}, put("", "tag_list=a&tag_list=b")["tag_list"])
	assert.Equal(t, []any{"a", "b", "c"}, put("", "tag_list[]=a&tag_list[]=b,c")["tag_list"])
	got := put("description=from-query&tag_list[]=q", "description=from-body")
	assert.Equal(t, "from-body", got["description"])
	assert.Equal(t, []any{"q"}, got["tag_list"], "keys the body lacks come from the query")
	got = put("tag_list=q", "tag_list[]=x&tag_list[]=y")
	assert.Equal(t, []any{"x", "y"}, got["tag_list"], "the body's list replaces the query's string: no conflict across the two")
}
