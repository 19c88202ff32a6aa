package bench

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/glrunners/glrunners"
)

// The benchmarks are only as honest as their harness: these tests check
// that the server sends every field, that each contender walks every runner
// in order and reads every status, and that the meters see what they claim.

// jsonKeys lists the JSON keys of struct type t, embedded structs flattened.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			keys = append(keys, jsonKeys(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	slices.Sort(keys)
	return keys
}

func objectKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(m))
}

func TestFixtures_carryEveryField(t *testing.T) {
	tmpl, err := fixtures()
	if err != nil {
		t.Fatal(err)
	}
	var page []json.RawMessage
	if err := json.Unmarshal(tmpl.appendItems(nil, 1, perPage), &page); err != nil {
		t.Fatal(err)
	}
	if len(page) != perPage {
		t.Fatalf("page has %d items", len(page))
	}
	for i, item := range page {
		if got, want := objectKeys(t, item), jsonKeys(reflect.TypeFor[rawRunner]()); !slices.Equal(got, want) {
			t.Fatalf("item %d keys %v, want %v", i, got, want)
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(item, &fields)
		if got, want := objectKeys(t, fields["created_by"]), jsonKeys(reflect.TypeFor[rawUser]()); !slices.Equal(got, want) {
			t.Fatalf("item %d created_by keys %v, want %v", i, got, want)
		}
	}

	details, err := detailsBody()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := objectKeys(t, details), jsonKeys(reflect.TypeFor[rawRunnerDetails]()); !slices.Equal(got, want) {
		t.Fatalf("details keys %v, want %v", got, want)
	}
	var d struct{ Projects []json.RawMessage }
	if err := json.Unmarshal(details, &d); err != nil || len(d.Projects) == 0 {
		t.Fatalf("details projects: %v, %d", err, len(d.Projects))
	}
	for _, p := range d.Projects {
		if got, want := objectKeys(t, p), jsonKeys(reflect.TypeFor[rawProject]()); !slices.Equal(got, want) {
			t.Fatalf("project keys %v, want %v", got, want)
		}
	}
}

// TestGlrunners_decodesWhatRawDecodes shows that glrunners and raw do the
// same decoding work: every field of every item, to equal values.
func TestGlrunners_decodesWhatRawDecodes(t *testing.T) {
	srv := newFleetServer(t, serverConfig{runners: perPage})
	c, err := glrunners.NewClient(srv.URL, glrunners.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	got, err := glrunners.Collect(c.Runners.ListAllIter(t.Context(), nil))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := fixtures()
	var want []rawRunner
	if err := json.Unmarshal(tmpl.appendItems(nil, 1, perPage), &want); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d runners, want %d", len(got), len(want))
	}
	for i := range want {
		g, _ := json.Marshal(got[i])
		w, _ := json.Marshal(want[i])
		if string(g) != string(w) {
			t.Fatalf("runner %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
}

func TestContenders_walkEveryRunnerInOrder(t *testing.T) {
	for _, fleet := range []int{250, 10001} { // a short last page; totals omitted
		srv := newFleetServer(t, serverConfig{runners: fleet})
		for _, cs := range contenders {
			c := cs.mustMake(t, srv.URL, setup{})
			if _, err := checkedWalk(t.Context(), srv, c, cs.decodes); err != nil {
				t.Errorf("%s, %d runners: %v", cs.name, fleet, err)
			}
		}
		c := contenderNamed(t, "glrunners").mustMake(t, srv.URL, setup{pageConcurrency: 8})
		res, err := checkedWalk(t.Context(), srv, c, true)
		if err != nil {
			t.Errorf("glrunners conc=8, %d runners: %v", fleet, err)
		}
		if res.maxPagesHeld < 1 {
			t.Errorf("glrunners conc=8, %d runners: %d pages held, the meter saw nothing", fleet, res.maxPagesHeld)
		}
	}
}

func TestCheckedWalk_catchesOutOfOrder(t *testing.T) {
	srv := newFleetServer(t, serverConfig{runners: 3 * perPage})
	if _, err := checkedWalk(t.Context(), srv, reversed{contenderNamed(t, "raw").mustMake(t, srv.URL, setup{})}, true); err == nil {
		t.Fatal("a walk yielding each page backwards passed the order check")
	}
}

// reversed yields each page's items backwards.
type reversed struct{ contender }

func (r reversed) walk(ctx context.Context, visit func(int64)) error {
	var page []int64
	err := r.contender.walk(ctx, func(id int64) {
		if page = append(page, id); len(page) == perPage {
			for _, v := range slices.Backward(page) {
				visit(v)
			}
			page = page[:0]
		}
	})
	return err
}

func TestContenders_readEveryStatus(t *testing.T) {
	srv := newFleetServer(t, serverConfig{mixErrors: true})
	for _, cs := range contenders {
		c := cs.mustMake(t, srv.URL, setup{retryOnce: true})
		conns0 := srv.conns.Load()
		for id := int64(1); id <= 20; id++ {
			got, status, err := c.get(t.Context(), id)
			want := srv.wantStatus(id)
			if err != nil || status != want || (cs.decodes && want == http.StatusOK && got != detailsID) {
				t.Errorf("%s get %d: id %d, status %d (want %d), err %v", cs.name, id, got, status, want, err)
			}
		}
		if n := srv.conns.Load() - conns0; n < 1 {
			t.Errorf("%s: the server counted %d connections", cs.name, n)
		}
		srv.CloseClientConnections()
	}
}

func TestHeapSampler_seesAHeldAllocation(t *testing.T) {
	const size = 64 << 20
	s := startHeapSampler()
	buf := make([]byte, size)
	buf[size-1] = 1
	p := s.peaks()
	if p.heap < size {
		t.Fatalf("peak heap %d B while holding %d B", p.heap, size)
	}
	if buf[size-1] != 1 { // keeps buf alive until after the sample
		t.Fatal("unreachable")
	}
}
