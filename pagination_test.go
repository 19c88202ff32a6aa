package glrunners

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCollect(t *testing.T) {
	t.Parallel()
	a, b := "a", "b"
	ok := func(yield func(*string, error) bool) { _ = yield(&a, nil) && yield(&b, nil) }
	got, err := Collect(ok)
	require.NoError(t, err)
	assert.Equal(t, []*string{&a, &b}, got)

	failing := func(yield func(*string, error) bool) { _ = yield(&a, nil) && yield(nil, errBoom) }
	got, err = Collect(failing)
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, []*string{&a}, got)

	got, err = Collect(func(func(*string, error) bool) {})
	require.NoError(t, err)
	assert.Nil(t, got)
}

func TestParsePagination(t *testing.T) {
	t.Parallel()
	const base = "https://gl.example/api/v4/runners"
	tests := []struct {
		name   string
		header http.Header
		want   Response
	}{
		{
			name: "all headers",
			header: http.Header{
				"X-Page": {"2"}, "X-Per-Page": {"20"}, "X-Next-Page": {"3"}, "X-Prev-Page": {"1"},
				"X-Total": {"95"}, "X-Total-Pages": {"5"},
				"Link": {`<` + base + `?page=1&per_page=20>; rel="prev", <` + base + `?page=3&per_page=20>; rel="next", ` +
					`<` + base + `?page=1&per_page=20>; rel="first", <` + base + `?page=5&per_page=20>; rel="last"`},
			},
			want: Response{CurrentPage: 2, PerPage: 20, NextPage: 3, PrevPage: 1, TotalItems: 95, TotalPages: 5,
				PrevLink: base + "?page=1&per_page=20", NextLink: base + "?page=3&per_page=20",
				FirstLink: base + "?page=1&per_page=20", LastLink: base + "?page=5&per_page=20"},
		},
		{name: "missing", header: http.Header{}, want: Response{}},
		{
			name:   "last page: empty X-Next-Page, no totals",
			header: http.Header{"X-Page": {"7"}, "X-Per-Page": {"100"}, "X-Next-Page": {""}, "X-Prev-Page": {"6"}},
			want:   Response{CurrentPage: 7, PerPage: 100, PrevPage: 6},
		},
		{
			name: "garbage numbers",
			header: http.Header{"X-Page": {"two"}, "X-Per-Page": {"-20"}, "X-Next-Page": {"3x"},
				"X-Prev-Page": {"+1"}, "X-Total": {"99999999999999999999999"}, "X-Total-Pages": {" 4 "}},
			want: Response{TotalPages: 4},
		},
		{
			name:   "several rels in one entry, extra params, odd spacing and case",
			header: http.Header{"Link": {` <` + base + `?page=2>;title="a, b";  REL="next last" ;x=1 ,<` + base + `?page=1>;rel=first`}},
			want:   Response{NextLink: base + "?page=2", LastLink: base + "?page=2", FirstLink: base + "?page=1"},
		},
		{
			name:   "commas inside the URL",
			header: http.Header{"Link": {`<` + base + `?tag_list=docker,linux&page=2>; rel="next"`}},
			want:   Response{NextLink: base + "?tag_list=docker,linux&page=2"},
		},
		{
			name: "malformed entries are skipped",
			header: http.Header{"Link": {`garbage; rel="prev", <>; rel="first", <` + base + `?page=2>; rel="next", ` +
				`<` + base + `?page=9>; rel="next", <` + base + `?page=3>; norel, <unterminated; rel="last"`}},
			want: Response{NextLink: base + "?page=2"},
		},
		{
			name: "keyset cursor from Link, escaped",
			header: http.Header{"Link": {`<` + base + `/7/jobs?cursor=eyJpZCI6IjQyIn0%3D&pagination=keyset&per_page=2>; rel="next"`},
				"X-Next-Cursor": {"ignored"}},
			want: Response{NextLink: base + "/7/jobs?cursor=eyJpZCI6IjQyIn0%3D&pagination=keyset&per_page=2",
				NextCursor: `eyJpZCI6IjQyIn0=`},
		},
		{
			name:   "keyset cursor from X-Next-Cursor",
			header: http.Header{"X-Next-Cursor": {"abc"}},
			want:   Response{NextCursor: "abc"},
		},
		{
			name:   "Link split over several header lines",
			header: http.Header{"Link": {`<` + base + `?page=1>; rel="first"`, `<` + base + `?page=4>; rel="prev"`}},
			want:   Response{FirstLink: base + "?page=1", PrevLink: base + "?page=4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := &Response{Response: &http.Response{Header: tt.header}}
			parsePagination(got)
			got.Response = nil
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestParsePagination_nilIsSafe(t *testing.T) {
	t.Parallel()
	assert.NotPanics(t, func() { parsePagination(nil) })
	r := &Response{NextPage: 3}
	assert.NotPanics(t, func() { parsePagination(r) })
	assert.Equal(t, 3, r.NextPage)
}

func BenchmarkParsePagination(b *testing.B) {
	const base = "https://gitlab.example.com/api/v4/runners"
	cases := map[string]http.Header{
		"offset": {
			"X-Page": {"2"}, "X-Per-Page": {"100"}, "X-Next-Page": {"3"}, "X-Prev-Page": {"1"},
			"X-Total": {"950"}, "X-Total-Pages": {"10"},
			"Link": {`<` + base + `?page=1&per_page=100>; rel="prev", <` + base + `?page=3&per_page=100>; rel="next", ` +
				`<` + base + `?page=1&per_page=100>; rel="first", <` + base + `?page=10&per_page=100>; rel="last"`},
		},
		"keyset": {"Link": {`<` + base + `/7/jobs?cursor=eyJpZCI6IjQyIn0%3D&pagination=keyset&per_page=100>; rel="next"`}},
	}
	for name, h := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			r := &Response{Response: &http.Response{Header: h}}
			for b.Loop() {
				parsePagination(r)
			}
		})
	}
}
