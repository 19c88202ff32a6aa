package glrunners

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
)

// The fault-sequence suite: CreateOnce under each order of lost answers,
// refused calls and lagging commits, run many times against the fake.

// onceCase is one fault sequence for CreateOnce, run many times.
type onceCase struct {
	name    string
	arrange func(f *onceFake)
	policy  *RetryPolicy // nil: onceRetry
	// window is the settle window: 0 means onceSettle, -1 the client's
	// default (DefaultSettleWindow).
	window  time.Duration
	calls   int   // CreateOnce calls at once with identical options; 0 means 1
	want    error // the state of every call's error; nil: success
	runners int   // runners in the project afterwards
	// requests is the exact number of requests all calls send together;
	// 0 when waits make it vary.
	requests int
	// check, if set, looks further at one repetition's outcome.
	check func(t *testing.T, f *onceFake, regs []*RunnerRegistration, errs []error)
}

var (
	createPath = "/api/v4/user/runners"
	resetPath  = "/api/v4/runners/*/reset_authentication_token"
)

func fault502AfterApply(times int) glrunnerstest.Fault {
	return glrunnerstest.Fault{Method: "POST", Pattern: createPath, Status: 502, AfterApply: true, Times: times}
}

// onceCases are the fault sequences of issues 10 and 15 and the recovery
// paths they lead to. Request counts: create 1, a look 1 (one page), a
// reset 1, the restoring update 1; a settle window that finds nothing is
// settleLooks = 7 looks; a call that sent two creates looks once more
// after the update.
var onceCases = []onceCase{
	{
		name:     "create answered 502 after it was applied",
		arrange:  func(f *onceFake) { f.srv.AddFault(fault502AfterApply(1)) },
		runners:  1,
		requests: 4, // create, look, reset, update
	},
	{
		name: "connection reset after the create was written and applied",
		arrange: func(f *onceFake) {
			f.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: createPath, Reset: true, AfterApply: true})
		},
		runners:  1,
		requests: 4,
	},
	{
		name: "the token reset during recovery is lost too",
		arrange: func(f *onceFake) {
			f.srv.AddFault(fault502AfterApply(1))
			f.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: resetPath, Reset: true, AfterApply: true})
		},
		runners:  1,
		requests: 5, // create, look, lost reset, reset, update
	},
	{
		name:     "two concurrent calls with identical options, both answers lost",
		arrange:  func(f *onceFake) { f.srv.AddFault(fault502AfterApply(2)) },
		calls:    2,
		runners:  2,
		requests: 8,
	},
	{
		name:     "two concurrent calls with identical options, no fault",
		arrange:  func(*onceFake) {},
		calls:    2,
		runners:  2,
		requests: 4,
	},
	{
		name: "answered 502, committed 300 ms later, fast retries, default window",
		arrange: func(f *onceFake) {
			f.srv.SetCommitDelay(300 * time.Millisecond)
			f.srv.AddFault(fault502AfterApply(1))
		},
		policy: &autoscalerRetry, window: -1,
		runners: 1,
	},
	{
		name: "answered 502, committed 300 ms later, fast retries, 1 s window",
		arrange: func(f *onceFake) {
			f.srv.SetCommitDelay(300 * time.Millisecond)
			f.srv.AddFault(fault502AfterApply(1))
		},
		policy: &autoscalerRetry, window: time.Second,
		runners: 1,
	},
	{
		name: "two concurrent calls, both answered 502 and committed 300 ms later",
		arrange: func(f *onceFake) {
			f.srv.SetCommitDelay(300 * time.Millisecond)
			f.srv.AddFault(fault502AfterApply(2))
		},
		policy: &autoscalerRetry, window: time.Second,
		calls:   2,
		runners: 2,
	},
	{
		name:    "slow commit without a fault: the update waits for the runner to show",
		arrange: func(f *onceFake) { f.srv.SetCommitDelay(300 * time.Millisecond) },
		policy:  &autoscalerRetry, window: time.Second,
		runners: 1,
	},
	{
		name: "lists lag 300 ms behind",
		arrange: func(f *onceFake) {
			f.srv.SetListLag(300 * time.Millisecond)
			f.srv.AddFault(fault502AfterApply(1))
		},
		policy: &autoscalerRetry, window: time.Second,
		runners: 1,
	},
	{
		name: "lists lag 300 ms behind, two concurrent calls, both answers lost",
		arrange: func(f *onceFake) {
			f.srv.SetListLag(300 * time.Millisecond)
			f.srv.AddFault(fault502AfterApply(2))
		},
		policy: &autoscalerRetry, window: time.Second,
		calls:   2,
		runners: 2,
	},
	{
		name: "403 on the first attempt: no retry, nothing created",
		arrange: func(f *onceFake) {
			f.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: createPath, Status: 403,
				Body: `{"message":"403 Forbidden - Insufficient permissions"}`})
		},
		want:     ErrNotCreated,
		requests: 1,
	},
	{
		name: "502 before anything was applied: created again after the window",
		arrange: func(f *onceFake) {
			f.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: createPath, Status: 502})
		},
		runners:  1,
		requests: 11, // create, 7 looks, create, update, a last look for late runners
	},
	{
		name: "every create lost, none applied",
		arrange: func(f *onceFake) {
			f.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: createPath, Status: 502, Times: glrunnerstest.Always})
		},
		want:     ErrNotCreated,
		requests: 32, // MaxRetries+1 creates, each followed by 7 looks
	},
	{
		name: "a lagging list hides the first runner until the second exists: the younger is deleted",
		arrange: func(f *onceFake) {
			f.srv.AddFault(fault502AfterApply(2))
			f.srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/api/v4/projects/*/runners", Status: 200, Body: "[]", Times: settleLooks})
		},
		runners:  1,
		requests: 14, // create, 7 empty looks, create, look (2 found), reset, delete, update, last look
		check: func(t *testing.T, f *onceFake, regs []*RunnerRegistration, _ []error) {
			if regs[0] != nil {
				assert.Equal(t, firstAPIRunnerID, regs[0].ID, "the oldest runner is kept")
			}
		},
	},
	{
		name: "the runner found is deleted by someone else before its reset: created again",
		arrange: func(f *onceFake) {
			f.srv.AddFault(fault502AfterApply(1))
			// The reset's 404 stands for a runner deleted meanwhile; the
			// fake keeps it, so the last look finds and deletes it.
			f.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: resetPath, Status: 404,
				Body: `{"message":"404 Runner Not Found"}`})
		},
		runners:  1,
		requests: 7, // create, look, reset 404, create, update, last look, delete
	},
	{
		name: "token reset refused during recovery: the runner is named in the error",
		arrange: func(f *onceFake) {
			f.srv.AddFault(fault502AfterApply(1))
			f.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: resetPath, Status: 403, Times: glrunnerstest.Always})
		},
		want:     ErrRunnerUnrecovered,
		runners:  1,
		requests: 3,
		check: func(t *testing.T, f *onceFake, _ []*RunnerRegistration, errs []error) {
			e, _ := asType[*CreateOnceError](errs[0])
			if assert.NotNil(t, e) {
				assert.Equal(t, []int64{firstAPIRunnerID}, e.RunnerIDs)
			}
		},
	},
	{
		name: "restoring the fields refused: the new runner is deleted by its token",
		arrange: func(f *onceFake) {
			f.srv.AddFault(glrunnerstest.Fault{Method: "PUT", Pattern: "/api/v4/runners/*", Status: 403, Times: glrunnerstest.Always})
		},
		want:     ErrNotCreated,
		requests: 3, // create, update 403, delete by token
	},
}

// firstAPIRunnerID is the ID the fake gives the first runner it creates.
const firstAPIRunnerID int64 = 1

func onceRepeats() int {
	if testing.Short() {
		return 4
	}
	return 20
}

func TestCreateOnce_faultSequences(t *testing.T) {
	t.Parallel()
	for _, tc := range onceCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runOnceCase(t, tc, onceRepeats())
		})
	}
}

// runOnceCase runs tc n times, each on a fresh fake, a few at a time, and
// checks every repetition. It logs the requests the calls needed.
func runOnceCase(t *testing.T, tc onceCase, n int) {
	t.Helper()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		requests []int
		sem      = make(chan struct{}, 4)
	)
	if tc.window < 0 {
		// Under the default window a repetition mostly sleeps until its
		// second look, a second or two: run them all at once.
		sem = make(chan struct{}, n)
	}
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			got := runOnceRepeat(t, tc, i)
			mu.Lock()
			requests = append(requests, got)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Ints(requests)
	t.Logf("%d repetitions; requests per repetition: min %d, median %d, max %d",
		n, requests[0], requests[len(requests)/2], requests[len(requests)-1])
}

// runOnceRepeat runs one repetition and returns how many requests it sent.
// It runs on its own goroutine, so it asserts and never requires.
func runOnceRepeat(t *testing.T, tc onceCase, rep int) int {
	f := newOnceFake()
	defer f.srv.Close()
	policy := onceRetry
	if tc.policy != nil {
		policy = *tc.policy
	}
	c := f.client(WithRetry(policy))
	if tc.window > 0 {
		c = f.client(WithRetry(policy), WithSettleWindow(tc.window))
	}
	if tc.window < 0 { // the client's own default
		var err error
		c, err = NewClient(f.srv.URL(), WithToken(f.token), WithRetry(policy))
		if !assert.NoError(t, err) {
			return 0
		}
	}
	tc.arrange(f)
	calls := max(tc.calls, 1)
	opt := f.onceOptions("build-vm-" + fmt.Sprint(rep))
	regs := make([]*RunnerRegistration, calls)
	errs := make([]error, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			regs[i], _, errs[i] = c.Runners.CreateOnce(context.Background(), opt)
		}()
	}
	wg.Wait()
	sent := f.requests()

	ids := map[int64]bool{}
	for i := range calls {
		if tc.want != nil {
			assertState(t, tc.want, errs[i])
			assert.Nil(t, regs[i], "a failed call hands over no token")
			continue
		}
		if !assert.NoError(t, errs[i]) {
			continue
		}
		ids[regs[i].ID] = true
		f.assertAsAsked(t, regs[i].ID, opt)
		assertTokenWorks(t, c, regs[i])
	}
	if tc.want == nil {
		assert.Len(t, ids, calls, "every call has a runner of its own")
	}
	runners := f.projectRunners()
	assert.Len(t, runners, tc.runners, "runners in the fake after repetition %d", rep)
	for _, r := range runners {
		if tc.want == nil {
			assert.True(t, ids[r.ID], "runner %d belongs to no call", r.ID)
			assert.NotContains(t, r.Description, markerPrefix, "marker left on runner %d", r.ID)
		}
	}
	if tc.requests > 0 {
		assert.Equal(t, tc.requests, sent, "requests sent in repetition %d", rep)
	}
	if tc.check != nil {
		tc.check(t, f, regs, errs)
	}
	return sent
}
