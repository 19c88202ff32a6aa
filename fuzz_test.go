package glrunners

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzErrorBody feeds arbitrary bodies to the error parser: whatever a
// proxy or a broken server sends, the result is a one-line message and no
// panic, and a secret of the request never survives.
func FuzzErrorBody(f *testing.F) {
	for _, seed := range []string{
		`{"message":"404 Runner Not Found"}`,
		`{"message":{"tags_list":["too many"],"error":"x"}}`,
		`{"error":"invalid_token","error_description":"revoked","scope":"api"}`,
		`{"message":["a",1,null]}`, `{"message":{"a":[1,2]}}`, `{"error":42}`,
		"<html><body>502</body></html>", "Retry later", "", `{"message":"`, "\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	const secret = "glrt-FUZZSECRET0123456789"
	f.Fuzz(func(t *testing.T, body []byte) {
		e := &Error{StatusCode: 400}
		e.parseErrorBody(append(body, []byte(" "+secret)...))
		msg := redact(e.Message, []string{secret})
		if strings.Contains(msg, secret) {
			t.Fatalf("secret survived: %q", msg)
		}
		if len(body) < 1000 && strings.ContainsAny(sample(string(body), 200), "\n\r\t") {
			t.Fatalf("sample is not one line: %q", sample(string(body), 200))
		}
	})
}

// FuzzResponseHeaders feeds arbitrary header values to the page and rate
// limit parsers, which run on every response.
func FuzzResponseHeaders(f *testing.F) {
	f.Add("2", "", "100", "10001", `<https://x/api/v4/runners?page=2>; rel="next", <https://x?page=1>; rel="first"`, "0", "1742472000", "45")
	f.Add("", "3", "-1", "abc", `<a, b>; rel=next`, "", "", "Thu, 20 Mar 2025 12:00:00 GMT")
	f.Fuzz(func(t *testing.T, next, prev, perPage, total, link, remaining, reset, retry string) {
		h := http.Header{}
		for k, v := range map[string]string{"X-Next-Page": next, "X-Prev-Page": prev, "X-Per-Page": perPage,
			"X-Total": total, "Link": link, "Ratelimit-Remaining": remaining, "Ratelimit-Reset": reset, "Retry-After": retry} {
			h.Set(k, v)
		}
		r := newResponse(&http.Response{Header: h}, 1, time.Unix(1742472000, 0))
		if r.NextPage < 0 || r.TotalItems < 0 || r.PerPage < 0 || r.RetryAfter < 0 {
			t.Fatalf("negative field: %+v", r)
		}
	})
}
