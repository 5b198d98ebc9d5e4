//go:build race

package store

// raceEnabled: the race detector slows the subprocess kill tests and the
// random tamper test several-fold; make test runs them in a pass of their
// own without -race (they hunt torn files and undetected edits, not data
// races, which the other store tests cover).
const raceEnabled = true
