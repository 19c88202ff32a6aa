package glrunners

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// recorded is what a fuzz server saw of one request.
type recorded struct {
	uri  string // the request target exactly as sent
	body []byte
}

// recordAll answers every request with answer and records it.
func recordAll(s *fuzzServer, status int, answer string) func() []recorded {
	var mu sync.Mutex
	var seen []recorded
	s.serve(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, recorded{r.RequestURI, b})
		mu.Unlock()
		writeJSON(w, status, answer)
	})
	return func() []recorded {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// FuzzRefEscape names projects and groups by arbitrary paths and IDs. A Ref
// that can name nothing (empty, a slash at either end, an empty, "." or
// ".." segment, all digits, a non-positive ID) is a *ValidationError and
// nothing is sent; any other goes out as exactly one path segment that
// unescapes to the path as given, with no query.
func FuzzRefEscape(f *testing.F) {
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, path string, id int64, group bool) {
		kind := "projects"
		if group {
			kind = "groups"
		}
		for _, ref := range []Ref{Path(path), ID(id)} {
			seen := recordAll(s, http.StatusOK, `[]`)
			c := s.client(t)
			var err error
			if group {
				_, _, err = c.Groups.ListRunners(fuzzCtx(t), ref, nil)
			} else {
				_, _, err = c.Projects.ListRunners(fuzzCtx(t), ref, nil)
			}
			want, sent := ref.String(), seen()
			if refNamesNothing(ref, path, id) {
				ve, ok := asType[*ValidationError](err)
				if !ok || ve.Field != "id" || len(sent) != 0 {
					t.Fatalf("%q (ID %d): want a *ValidationError for id and nothing sent, got %v and %d requests", path, id, err, len(sent))
				}
				continue
			}
			if err != nil || len(sent) != 1 {
				t.Fatalf("%q: got %v after %d requests", want, err, len(sent))
			}
			seg, okPrefix := strings.CutPrefix(sent[0].uri, "/api/v4/"+kind+"/")
			seg, okSuffix := strings.CutSuffix(seg, "/runners")
			if !okPrefix || !okSuffix || strings.ContainsAny(seg, "/?#") {
				t.Fatalf("%q went out as %q", want, sent[0].uri)
			}
			if got, err := url.PathUnescape(seg); err != nil || got != want {
				t.Fatalf("%q went out as %q, which is %q", want, seg, got)
			}
		}
	})
}

// refNamesNothing is the oracle of FuzzRefEscape, written from GitLab's
// rules rather than from the SDK's code.
func refNamesNothing(ref Ref, path string, id int64) bool {
	if ref == ID(id) {
		return id <= 0
	}
	if strings.TrimSpace(path) == "" || strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") {
		return true
	}
	if strings.Trim(path, "0123456789") == "" {
		return true
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// FuzzOptionsValidation builds Create and ListAll options from arbitrary
// values ("|" separates tags). What GitLab would refuse or mangle is a
// *ValidationError with nothing sent; everything else is sent, and the
// request carries exactly the values given.
func FuzzOptionsValidation(f *testing.F) {
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, runnerType, desc, tags, access string, maxTimeout int64, setTimeout bool, groupID, projectID int64, status, version string) {
		var tagList []string
		if tags != "" {
			tagList = strings.Split(tags, "|")
		}
		var timeout *int64
		if setTimeout {
			timeout = &maxTimeout
		}
		create := &CreateRunnerOptions{RunnerType: RunnerType(runnerType), GroupID: groupID, ProjectID: projectID,
			Description: desc, TagList: tagList, AccessLevel: AccessLevel(access), MaximumTimeout: timeout}
		seen := recordAll(s, http.StatusCreated, `{"id":1,"token":"glrt-fuzz","token_expires_at":null}`)
		_, _, err := s.client(t).Runners.Create(fuzzCtx(t), create)
		checkRefusal(t, "Create", createRefused(create), err, seen())
		if err == nil {
			var got struct {
				RunnerType     string   `json:"runner_type"`
				GroupID        int64    `json:"group_id"`
				ProjectID      int64    `json:"project_id"`
				Description    string   `json:"description"`
				TagList        []string `json:"tag_list"`
				AccessLevel    string   `json:"access_level"`
				MaximumTimeout *int64   `json:"maximum_timeout"`
			}
			if err := json.Unmarshal(seen()[0].body, &got); err != nil {
				t.Fatal(err)
			}
			if got.RunnerType != runnerType || got.GroupID != groupID || got.ProjectID != projectID ||
				got.Description != asJSONSends(desc) || !slices.Equal(got.TagList, validUTF8(tagList)) ||
				got.AccessLevel != access || (timeout == nil) != (got.MaximumTimeout == nil) ||
				(timeout != nil && *got.MaximumTimeout != *timeout) {
				t.Fatalf("Create sent %s for %+v", seen()[0].body, *create)
			}
		}

		list := &ListRunnersOptions{Type: RunnerType(runnerType), Status: RunnerStatus(status), TagList: tagList, VersionPrefix: version}
		seen = recordAll(s, http.StatusOK, `[]`)
		_, _, err = s.client(t).Runners.ListAll(fuzzCtx(t), list)
		checkRefusal(t, "ListAll", listRefused(list), err, seen())
		if err == nil {
			u, _ := url.Parse(seen()[0].uri)
			q := u.Query()
			if q.Get("type") != runnerType || q.Get("status") != status || q.Get("version_prefix") != version ||
				q.Get("tag_list") != strings.Join(tagList, ",") {
				t.Fatalf("ListAll sent %q for %+v", seen()[0].uri, *list)
			}
		}
	})
}

// checkRefusal asserts that a call was refused before sending exactly when
// the oracle says GitLab would refuse it, and sent once otherwise.
func checkRefusal(t *testing.T, name string, refuse bool, err error, sent []recorded) {
	t.Helper()
	ve, refused := asType[*ValidationError](err)
	switch {
	case refuse && (!refused || ve.Field == "" || ve.Reason == "" || len(sent) != 0):
		t.Fatalf("%s: want a *ValidationError and nothing sent, got %v and %d requests", name, err, len(sent))
	case !refuse && (err != nil || len(sent) != 1):
		t.Fatalf("%s: want one request and no error, got %v and %d requests", name, err, len(sent))
	}
}

// createRefused is the oracle of Create's validation, from GitLab's rules
// (spec §3.4): a known runner type with exactly the owner ID it needs, text
// up to 1024 characters, up to 50 tags, each non-blank and comma-free, a
// known access level, and a maximum timeout of at least 600 seconds.
func createRefused(o *CreateRunnerOptions) bool {
	owner := map[RunnerType]bool{
		InstanceType: o.GroupID == 0 && o.ProjectID == 0,
		GroupType:    o.GroupID > 0 && o.ProjectID == 0,
		ProjectType:  o.ProjectID > 0 && o.GroupID == 0,
	}
	return !owner[o.RunnerType] || utf8.RuneCountInString(o.Description) > 1024 || tagsRefused(o.TagList) ||
		!slices.Contains([]AccessLevel{"", NotProtected, RefProtected}, o.AccessLevel) ||
		(o.MaximumTimeout != nil && *o.MaximumTimeout < 600)
}

// listRefused is the oracle of ListAll's validation: known type and status
// (or none), valid tags, and a version prefix that starts with a digit or
// a dot.
func listRefused(o *ListRunnersOptions) bool {
	badVersion := o.VersionPrefix != "" && !strings.ContainsAny(o.VersionPrefix[:1], "0123456789.")
	return (o.Type != "" && !o.Type.Valid()) || (o.Status != "" && !slices.Contains([]RunnerStatus{
		StatusOnline, StatusOffline, StatusStale, StatusNeverContacted, StatusActive, StatusPaused}, o.Status)) ||
		tagsRefused(o.TagList) || badVersion
}

func tagsRefused(tags []string) bool {
	if len(tags) > 50 {
		return true
	}
	for _, tag := range tags {
		if strings.TrimSpace(tag) == "" || strings.Contains(tag, ",") {
			return true
		}
	}
	return false
}

// validUTF8 is asJSONSends of each string.
func validUTF8(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = asJSONSends(s)
	}
	return out
}

// asJSONSends is s as a JSON encoder sends it: each invalid byte becomes
// U+FFFD.
func asJSONSends(s string) string {
	var b strings.Builder
	for _, r := range s { // ranging a string yields U+FFFD per invalid byte
		b.WriteRune(r)
	}
	return b.String()
}
