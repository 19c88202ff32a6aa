package glrunners

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
)

// fuzzEntityCall is one operation whose 2xx answer decodes into an entity,
// or a list of them.
type fuzzEntityCall struct {
	name   string
	post   bool
	status int
	call   func(ctx context.Context, c *Client) (any, error)
}

// fuzzEntityCalls cover every entity type: RunnerDetails, Runner,
// RunnerJob, RunnerManager, Project, RunnerRegistration and Token.
var fuzzEntityCalls = []fuzzEntityCall{
	{"Runners.Get", false, 200, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Runners.Get(ctx, 7, nil)
		return v, err
	}},
	{"Runners.ListAll", false, 200, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Runners.ListAll(ctx, nil)
		return v, err
	}},
	{"Runners.ListJobs", false, 200, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Runners.ListJobs(ctx, 7, nil)
		return v, err
	}},
	{"Runners.ListManagers", false, 200, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Runners.ListManagers(ctx, 7)
		return v, err
	}},
	{"Runners.ListProjects", false, 200, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Runners.ListProjects(ctx, 7, nil)
		return v, err
	}},
	{"Runners.Update", false, 200, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Runners.Pause(ctx, 7)
		return v, err
	}},
	{"Runners.Create", true, 201, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Runners.Create(ctx, &CreateRunnerOptions{RunnerType: InstanceType})
		return v, err
	}},
	{"Runners.Verify", true, 200, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Runners.Verify(ctx, &VerifyRunnerOptions{Token: "glrt-fuzz-runner", SystemID: "s_1"})
		return v, err
	}},
	{"Projects.AssignRunner", true, 201, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Projects.AssignRunner(ctx, ID(3), 7)
		return v, err
	}},
	{"Tokens.ResetAuthenticationToken", true, 201, func(ctx context.Context, c *Client) (any, error) {
		v, _, err := c.Tokens.ResetAuthenticationToken(ctx, 7)
		return v, err
	}},
}

// FuzzDecodeEntities answers each entity-returning operation (picked by op)
// with an arbitrary 2xx JSON body, the user's token planted in it. The call
// returns either a complete value (non-nil, every ID positive, every
// promised token present, no nil list element) and no error, or no value
// and a *DecodeError matching ErrInvalidResponse, and ErrOutcomeUnknown
// exactly for a POST. No error holds a piece of the token.
func FuzzDecodeEntities(f *testing.F) {
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, op uint8, body []byte, plant bool, at uint16) {
		ec := fuzzEntityCalls[int(op)%len(fuzzEntityCalls)]
		if plant {
			body = withTokenAt(body, at)
		}
		s.serve(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(ec.status)
			_, _ = w.Write(body)
		})
		got, err := ec.call(fuzzCtx(t), s.client(t))
		if err != nil {
			if v := reflect.ValueOf(got); v.IsValid() && !v.IsNil() {
				t.Fatalf("%s: a value came with the error %v", ec.name, err)
			}
			if _, ok := asType[*DecodeError](err); !ok || !errors.Is(err, ErrInvalidResponse) {
				t.Fatalf("%s: want *DecodeError matching ErrInvalidResponse, got %T: %v", ec.name, err, err)
			}
			if errors.Is(err, ErrOutcomeUnknown) != ec.post {
				t.Fatalf("%s: ErrOutcomeUnknown is %v for a POST=%v", ec.name, errors.Is(err, ErrOutcomeUnknown), ec.post)
			}
			assertNoTokenPiece(t, errorTexts(err)...)
			return
		}
		if msg := incomplete(reflect.ValueOf(got)); msg != "" {
			t.Fatalf("%s: accepted %q as %s", ec.name, body, msg)
		}
	})
}

// incomplete says what a decoded value lacks that its operation promises,
// or "" when it is complete.
func incomplete(v reflect.Value) string {
	if v.Kind() == reflect.Slice {
		for i := range v.Len() {
			if msg := incomplete(v.Index(i)); msg != "" {
				return "a list whose element " + msg
			}
		}
		return ""
	}
	if v.IsNil() {
		return "nil"
	}
	e := v.Elem()
	if id := e.FieldByName("ID"); id.IsValid() && id.Int() <= 0 {
		return "a value without an ID"
	}
	if tok := e.FieldByName("Token"); tok.IsValid() && tok.String() == "" {
		return "a value without its token"
	}
	return ""
}
