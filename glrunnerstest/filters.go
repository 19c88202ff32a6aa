package glrunnerstest

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Runner list filters: scope, type, status, paused, tag_list and
// version_prefix of GET /runners, /runners/all, /projects/:id/runners and
// /groups/:id/runners.

type scopeMode int

const (
	scopeNone  scopeMode = iota // GET /groups/:id/runners: no scope param
	scopeOwned                  // GET /runners: status-like scopes only
	scopeFull                   // GET /runners/all, GET /projects/:id/runners
)

var (
	runnerTypes    = []string{string(InstanceType), string(GroupType), string(ProjectType)}
	statusValues   = []string{"active", "paused", "online", "offline", "never_contacted", "stale"}
	allScopeValues = append([]string{"specific", "shared"}, append(runnerTypes, statusValues...)...)
	versionPrefix  = regexp.MustCompile(`^[\d+.]+`)
)

type runnerFilter struct {
	scope, typ, status string
	paused             *bool
	tags               []string
	versionPrefix      string
}

// parseFilter validates the filters in Grape's declaration order.
func (c *call) parseFilter(mode scopeMode) (runnerFilter, *reply) {
	var f runnerFilter
	var bad *reply
	if mode != scopeNone {
		if f.scope, bad = c.p.enum("scope", allScopeValues...); bad != nil {
			return f, bad
		}
	}
	if f.typ, bad = c.p.enum("type", runnerTypes...); bad != nil {
		return f, bad
	}
	if f.paused, bad = c.p.boolean("paused"); bad != nil {
		return f, bad
	}
	if f.status, bad = c.p.enum("status", statusValues...); bad != nil {
		return f, bad
	}
	if f.tags, _, bad = c.p.list("tag_list"); bad != nil {
		return f, bad
	}
	v, ok, bad := c.p.str("version_prefix")
	if bad != nil {
		return f, bad
	}
	if ok && !versionPrefix.MatchString(v) {
		rep := paramErr("version_prefix is invalid")
		return f, &rep
	}
	f.versionPrefix = v
	if _, bad = c.pageParams(); bad != nil {
		return f, bad
	}
	// Type-like scopes pass the validator on GET /runners, then fail.
	if mode == scopeOwned && f.scope != "" && !contains(statusValues, f.scope) {
		rep := errReply(http.StatusBadRequest, "Scope contains invalid value")
		return f, &rep
	}
	return f, nil
}

// match applies every filter (ANDed).
func (f *runnerFilter) match(now time.Time, r *runner) bool {
	switch f.scope {
	case "":
	case "specific":
		if r.RunnerType == InstanceType {
			return false
		}
	case "shared":
		if r.RunnerType != InstanceType {
			return false
		}
	case string(InstanceType), string(GroupType), string(ProjectType):
		if string(r.RunnerType) != f.scope {
			return false
		}
	default:
		if !matchesStatusFilter(now, &r.Runner, f.scope) {
			return false
		}
	}
	if f.typ != "" && string(r.RunnerType) != f.typ {
		return false
	}
	if f.paused != nil && r.Paused != *f.paused {
		return false
	}
	if f.status != "" && !matchesStatusFilter(now, &r.Runner, f.status) {
		return false
	}
	for _, t := range f.tags {
		if !contains(r.TagList, t) {
			return false
		}
	}
	// A plain string prefix, as GitLab's LIKE 'prefix%' query: "16.1" also
	// matches "16.10.0" (UNCONFIRMED that no dot is appended).
	if f.versionPrefix != "" {
		found := false
		for _, m := range r.managers {
			if strings.HasPrefix(m.Version, f.versionPrefix) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// filterRunners walks the runners in ID order once, as the list replica
// sees them (see SetListLag).
func (c *call) filterRunners(f *runnerFilter, include func(*runner) bool) []*runner {
	now, wall := c.now(), time.Now()
	var out []*runner
	for _, id := range c.st.runnerIDs {
		r := c.st.listView(c.st.runners[id], wall)
		if r != nil && include(r) && f.match(now, r) {
			out = append(out, r)
		}
	}
	return out
}

// pathInt parses an integer path segment, else Grape's "<name> is invalid".
func (c *call) pathInt(name string) (int64, *reply) {
	n, err := strconv.ParseInt(c.r.PathValue(name), 10, 64)
	if err != nil {
		rep := paramErr(name + " is invalid")
		return 0, &rep
	}
	return n, nil
}

// unmodifiedSince is false when If-Unmodified-Since is present, valid and
// older than t (→ 412). t is the runner's last change (update, assignment,
// token reset) at full precision, as GitLab compares updated_at
// (UNCONFIRMED which changes GitLab counts).
func (c *call) unmodifiedSince(t time.Time) bool {
	h := c.r.Header.Get("If-Unmodified-Since")
	if h == "" {
		return true
	}
	since, err := http.ParseTime(h)
	if err != nil {
		return true
	}
	return !t.After(since)
}
