//go:build race

package main

// raceEnabled: the race detector slows the 10,000-runner test five-fold.
const raceEnabled = true
