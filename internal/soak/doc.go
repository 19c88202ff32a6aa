// Package soak drives glrunners through a fault-injecting reverse proxy in
// front of the fake GitLab (glrunnerstest) and keeps a ledger of what the
// fake actually did. A test can then tell a correct answer from a lost,
// duplicated or misreported outcome: the ledger knows whether a runner was
// created or a token rotated even when the client was told nothing.
//
// Everything runs on loopback. Nothing here is part of the SDK.
//
// TestSoak runs the soak (go test -race -run TestSoak ./internal/soak;
// -short for a small version; -soak.seed=N to vary the mix), and
// TestFaultContract forces each fault on single calls, one row per
// promise of the SDK.
package soak
