package main

import "sync"

// forEach calls fn(0) ... fn(n-1) from at most workers goroutines at once
// and returns when all calls have returned.
func forEach(n, workers int, fn func(i int)) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range min(workers, n) {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}
