package glrunnerstest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// Always is a Fault's Times for a fault that applies to every matching
// request until ClearFaults.
const Always = -1

type faultRule struct {
	Fault
	left int // remaining uses; Always = no end
	segs []string
}

// AddFault installs a fault rule; see Fault. A rule that does nothing (no
// Status, Reset or Latency), a Status outside 100-599 and a Times below 0
// other than Always are misuse.
func (s *Server) AddFault(f Fault) {
	s.t().Helper()
	s.addFault("AddFault", f)
}

func (s *Server) addFault(call string, f Fault) {
	s.t().Helper()
	if f.Status == 0 && !f.Reset && f.Latency <= 0 {
		s.misuse(call, "set Status, Reset or Latency")
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		s.misuse(call, "Status %d is not an HTTP status (100-599)", f.Status)
	}
	if f.Times < 0 && f.Times != Always {
		s.misuse(call, "Times %d: want a count (0 or 1 = once) or Always", f.Times)
	}
	rule := &faultRule{Fault: f, left: max(f.Times, 1), segs: patternSegments(f.Pattern)}
	if f.Times == Always {
		rule.left = Always
	}
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	s.s.faults = append(s.s.faults, rule)
}

// ClearFaults removes every fault rule not yet used up.
func (s *Server) ClearFaults() {
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	s.s.faults = nil
}

func patternSegments(p string) []string {
	p = strings.TrimPrefix(strings.Trim(p, "/"), "api/v4")
	p = strings.Trim(p, "/")
	if p == "" || p == "*" || p == "**" {
		return nil
	}
	return strings.Split(p, "/")
}

func (f *faultRule) matches(method, escapedPath string) bool {
	if f.Method != "" && f.Method != "*" && !strings.EqualFold(f.Method, method) {
		return false
	}
	if f.segs == nil {
		return true
	}
	path := strings.Trim(strings.TrimPrefix(escapedPath, "/api/v4"), "/")
	segs := strings.Split(path, "/")
	for i, want := range f.segs {
		if want == "**" && i == len(f.segs)-1 {
			return true
		}
		if i >= len(segs) {
			return false
		}
		wild := want == "*" || strings.HasPrefix(want, "{") && strings.HasSuffix(want, "}")
		if !wild && want != segs[i] {
			return false
		}
	}
	return len(segs) == len(f.segs)
}

// takeFault returns the first matching rule's fault and uses it up.
func (s *server) takeFault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, rule := range s.faults {
		if !rule.matches(r.Method, r.URL.EscapedPath()) {
			continue
		}
		if rule.left > 0 {
			rule.left--
			if rule.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		f := rule.Fault
		return &f
	}
	return nil
}

// applyFault performs the fault; it reports whether the request should
// still be served normally.
func (s *server) applyFault(f *Fault, w *statusWriter, r *http.Request) bool {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		}
	}
	if f.AfterApply {
		s.inner(httptest.NewRecorder(), r)
	}
	if f.Reset {
		conn, _, err := http.NewResponseController(w.ResponseWriter).Hijack()
		if err == nil {
			w.log(0)
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // RST instead of FIN
			}
			_ = conn.Close()
			return false
		}
	}
	if f.Status == 0 {
		return !f.Reset
	}
	rep := reply{status: f.Status, body: []byte(f.Body)}
	if f.Body == "" {
		rep = errReply(f.Status, strconv.Itoa(f.Status)+" "+http.StatusText(f.Status))
	} else if b := strings.TrimSpace(f.Body); !strings.HasPrefix(b, "{") && !strings.HasPrefix(b, "[") {
		rep.text = true
	}
	for k, v := range f.Header {
		rep.setHeader(k, v)
	}
	if f.Status == http.StatusTooManyRequests && rep.header.Get("Retry-After") == "" {
		rep.setHeader("Retry-After", "1")
	}
	writeReply(w, rep)
	return false
}
