package glrunners

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// serverClock narrows the offset from the Date of many answers and starts
// over when a clock is stepped.
func TestServerClock(t *testing.T) {
	var c serverClock
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	skew := 90*time.Minute + 300*time.Millisecond // server − local
	answer := func(local time.Time, rtt time.Duration) {
		server := local.Add(skew + rtt/2)
		c.observe(http.Header{"Date": {server.Format(http.TimeFormat)}}, local, local.Add(rtt))
	}
	for i := range 40 {
		answer(base.Add(time.Duration(i)*137*time.Millisecond), 2*time.Millisecond)
	}
	assert.LessOrEqual(t, c.lo, skew)
	assert.GreaterOrEqual(t, c.hi, skew)
	assert.Less(t, c.hi-c.lo, 50*time.Millisecond, "narrowed to about a round trip")
	reset := base.Add(2 * time.Hour)
	assert.False(t, c.latest(reset).Before(reset.Add(-skew)))
	assert.False(t, c.earliest(reset).After(reset.Add(-skew)))

	skew = -time.Hour // stepped
	answer(base.Add(10*time.Second), 2*time.Millisecond)
	assert.LessOrEqual(t, c.lo, skew)
	assert.GreaterOrEqual(t, c.hi, skew)
	assert.Less(t, c.hi-c.lo, 1100*time.Millisecond)

	var none serverClock // no Date: local clock trusted
	none.observe(http.Header{}, base, base)
	assert.Equal(t, reset, none.latest(reset))
}
