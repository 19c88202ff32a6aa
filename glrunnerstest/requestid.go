package glrunnerstest

import (
	"math/rand/v2"
	"time"
)

// requestIDHeader is sent on every answer, errors and faults included, as
// GitLab does: support asks for it, and clients put it in their errors.
const requestIDHeader = "X-Request-Id"

// crockford is the base-32 alphabet of ULIDs (no I, L, O or U).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newRequestID returns a 26-character ULID-shaped id, like the ones GitLab
// sends: 48 bits of milliseconds since the Unix epoch, so ids sort by time
// across requests, then 80 random bits, so concurrent requests in the same
// millisecond differ. Wall time, not the fake's clock: a test that freezes
// the clock must still get distinct ids.
func newRequestID() string {
	var b [26]byte
	ms := uint64(time.Now().UnixMilli())
	for i := 9; i >= 0; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	hi, lo := rand.Uint64(), rand.Uint64() // 80 of these 128 bits are used
	for i := 10; i < 26; i++ {
		var v uint64
		if i < 18 {
			v, hi = hi&31, hi>>5
		} else {
			v, lo = lo&31, lo>>5
		}
		b[i] = crockford[v]
	}
	return string(b[:])
}
