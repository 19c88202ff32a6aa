package glrunnerstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// reply is a handler's answer, built under the lock and written after it.
type reply struct {
	status int
	body   []byte // JSON unless text is set
	text   bool
	header http.Header
}

type handlerFunc func(c *call) reply

// call is one request as a handler sees it.
type call struct {
	s   *server
	st  *state
	r   *http.Request
	p   params
	u   *user // nil on runner-token endpoints
	now func() time.Time
}

func jsonReply(status int, v any) reply {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return errReply(http.StatusInternalServerError, "500 Internal Server Error")
	}
	return reply{status: status, body: bytes.TrimRight(buf.Bytes(), "\n")}
}

// errReply is the {"message":"..."} shape.
func errReply(status int, msg string) reply {
	return jsonReply(status, map[string]string{"message": msg})
}

// paramErr is Grape's {"error":"..."} shape, 400.
func paramErr(msg string) reply {
	return jsonReply(http.StatusBadRequest, map[string]string{"error": msg})
}

// fieldErrs is the model validation shape {"message":{"field":["msg"]}}, 400.
func fieldErrs(m map[string][]string) reply {
	return jsonReply(http.StatusBadRequest, map[string]any{"message": m})
}

func noContent() reply { return reply{status: http.StatusNoContent} }

var (
	errUnauthorized   = func() reply { return errReply(http.StatusUnauthorized, "401 Unauthorized") }
	errForbidden      = func() reply { return errReply(http.StatusForbidden, "403 Forbidden") }
	errNoAccess       = func() reply { return errReply(http.StatusForbidden, "403 Forbidden - No access granted") }
	errRunnerNotFound = func() reply { return errReply(http.StatusNotFound, "404 Runner Not Found") }
	errProjectNF      = func() reply { return errReply(http.StatusNotFound, "404 Project Not Found") }
	errGroupNF        = func() reply { return errReply(http.StatusNotFound, "404 Group Not Found") }
	errPrecondition   = func() reply { return errReply(http.StatusPreconditionFailed, "412 Precondition Failed") }
)

func (rep *reply) setHeader(k, v string) {
	if rep.header == nil {
		rep.header = http.Header{}
	}
	rep.header.Set(k, v)
}

func writeReply(w http.ResponseWriter, rep reply) {
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	if rep.status == http.StatusNoContent {
		w.WriteHeader(rep.status)
		return
	}
	if rep.text {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// endpoint wraps a handler: read the parameters (outside the lock: reading
// a body can block), then authenticate and run the handler under the lock,
// then write the reply.
func (s *server) endpoint(mode authMode, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, perr := parseParams(r)
		rep := func() (rep reply) {
			s.mu.Lock()
			defer s.mu.Unlock()
			// Date comes from the fake's clock, so that a client anchoring
			// If-Unmodified-Since on it agrees with the runners' timestamps.
			defer func() { rep.setHeader("Date", s.st.now().UTC().Format(http.TimeFormat)) }()
			c := &call{s: s, st: s.st, r: r, p: p, now: s.st.now}
			if mode != authNone {
				u, bad := s.authenticate(r, mode)
				if u == nil {
					return bad
				}
				if u, bad = s.sudo(r, p, u); u == nil {
					return bad
				}
				c.u = u
			}
			if perr != nil {
				return *perr
			}
			return fn(c)
		}()
		writeReply(w, rep)
	})
}
