package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// perPage is the page size every contender asks for, GitLab's maximum.
const perPage = 100

// pageTemplate is one page of 100 runners serialized once. Each item is
// stored without its id, which the server splices in, so a fleet of any size
// is served from these ~50 KB: the server's memory is the same for 10,000
// runners as for 100,000, and the heap benchmarks compare only the client.
type pageTemplate struct {
	tails [perPage][]byte // item i without its leading `{"id":N`
}

const idPrefix = `{"id":`

var fixtures = sync.OnceValues(func() (*pageTemplate, error) {
	t := &pageTemplate{}
	for i := range perPage {
		b, err := json.Marshal(fleetRunner(i))
		if err != nil {
			return nil, err
		}
		head := idPrefix + "0"
		if !bytes.HasPrefix(b, []byte(head)) {
			return nil, fmt.Errorf("runner %d serialized as %.20s, want a leading id", i, b)
		}
		t.tails[i] = b[len(head):]
	}
	return t, nil
})

// appendItems appends the JSON array of the runners with IDs from..to
// (inclusive, 1-based) to dst. Runner id carries template item (id-1)%100.
func (t *pageTemplate) appendItems(dst []byte, from, to int) []byte {
	dst = append(dst, '[')
	for id := from; id <= to; id++ {
		if id > from {
			dst = append(dst, ',')
		}
		dst = append(dst, idPrefix...)
		dst = strconv.AppendInt(dst, int64(id), 10)
		dst = append(dst, t.tails[(id-1)%perPage]...)
	}
	return append(dst, ']')
}

// fleetRunner is template item i: every §4.1 key present, created_by
// included, with the mix of nulls, statuses and types a real fleet shows.
func fleetRunner(i int) rawRunner {
	statuses := [...]string{"online", "online", "online", "offline", "stale", "never_contacted", "paused"}
	types := [...]string{"instance_type", "group_type", "project_type", "project_type"}
	arches := [...]string{"amd64", "arm64", "s390x"}
	status := statuses[i%len(statuses)]
	typ := types[i%len(types)]
	r := rawRunner{
		Description:        ptrTo(fmt.Sprintf("fleet-%s-%02d (docker-autoscaler, %s)", arches[i%3], i, typ)),
		Paused:             status == "paused",
		IsShared:           typ == "instance_type",
		RunnerType:         typ,
		Name:               ptrTo(fmt.Sprintf("fleet-%s-%02d", arches[i%3], i)),
		CreatedBy:          fleetUser(i % 5),
		CreatedAt:          time.Date(2024, 1+time.Month(i%12), 1+i%28, i%24, i%60, i%60, (i*7919%1000)*int(time.Millisecond), time.UTC),
		Status:             status,
		JobExecutionStatus: []string{"idle", "active"}[i%2],
	}
	r.Active = !r.Paused
	if i%4 == 0 {
		r.IPAddress = ptrTo("") // the docs' examples send "", the source null: accept both
	}
	switch status {
	case "online", "paused":
		r.Online = ptrTo(true)
	case "never_contacted":
		r.Name = nil // the runner process never reported one
	default:
		r.Online = ptrTo(false)
	}
	return r
}

func fleetUser(k int) *rawUser {
	names := [...]string{"mhartley", "okafor.d", "lin.zhao", "p.novak", "s.ibrahim"}
	u := &rawUser{
		ID:       int64(87 + 101*k),
		Username: names[k],
		Name:     fmt.Sprintf("User %s", names[k]),
		State:    []string{"active", "blocked"}[k/4],
		WebURL:   "https://gitlab.example.test/" + names[k],
	}
	if k%2 == 0 {
		u.PublicEmail = ptrTo(names[k] + "@example.test")
		u.AvatarURL = ptrTo(fmt.Sprintf("https://gitlab.example.test/uploads/-/system/user/avatar/%d/avatar.png", u.ID))
	}
	return u
}

// detailsID is the id in runner_details.json, the one Get asks for.
const detailsID = 4117

// detailsBody is the spec's runner-details example, compacted as GitLab
// sends it: every §4.2 key, with two projects.
var detailsBody = sync.OnceValues(func() ([]byte, error) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "runner_details.json"))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = json.Compact(&buf, raw)
	return buf.Bytes(), err
})

func ptrTo[T any](v T) *T { return &v }
