package glrunners

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveRunnerPages answers GET /api/v4/runners/all with pages of 100
// runners numbered from 1, announcing the totals.
func serveRunnerPages(mux *http.ServeMux, pages int, requested *sync.Map) {
	mux.HandleFunc("GET /api/v4/runners/all", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		requested.Store(page, r.URL.Query().Get("per_page"))
		w.Header().Set("X-Page", strconv.Itoa(page))
		w.Header().Set("X-Per-Page", "100")
		w.Header().Set("X-Total-Pages", strconv.Itoa(pages))
		w.Header().Set("X-Total", strconv.Itoa(pages*100))
		if page < pages {
			w.Header().Set("X-Next-Page", strconv.Itoa(page+1))
		}
		items := make([]string, 0, 100)
		for i := range 100 {
			items = append(items, fmt.Sprintf(`{"id":%d,"status":"online"}`, (page-1)*100+i+1))
		}
		writeJSON(w, 200, "["+strings.Join(items, ",")+"]")
	})
}

func TestIter_pageConcurrencyKeepsServerOrder(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithPageConcurrency(4))
	var requested sync.Map
	serveRunnerPages(mux, 12, &requested)
	opt := &ListRunnersOptions{Status: StatusOnline}
	got, err := Collect(c.Runners.ListAllIter(t.Context(), opt))
	require.NoError(t, err)
	require.Len(t, got, 1200)
	for i, r := range got {
		if r.ID != int64(i+1) {
			t.Fatalf("item %d has ID %d: out of order", i, r.ID)
		}
	}
	for page := 1; page <= 12; page++ {
		perPage, ok := requested.Load(page)
		assert.True(t, ok, "page %d fetched", page)
		assert.Equal(t, "100", perPage, "iterators ask for 100 per page")
	}
	assert.Equal(t, ListRunnersOptions{Status: StatusOnline}, *opt, "the caller's options are untouched")
}

func TestIter_badOptionsYieldOneValidationErrorAndSendNothing(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var hits atomic.Int32
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	var errs []error
	for r, err := range c.Runners.ListAllIter(t.Context(), &ListRunnersOptions{Type: "bogus"}) {
		assert.Nil(t, r)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	ve, ok := asType[*ValidationError](errs[0])
	require.True(t, ok)
	assert.Equal(t, "type", ve.Field)
	assert.Equal(t, int32(0), hits.Load())
}
