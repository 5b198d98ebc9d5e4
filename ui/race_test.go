//go:build race

package ui

// raceEnabled: the race detector slows the crawler five-fold; make test runs
// it in a pass of its own without -race (it hunts panics and layout, not
// data races, which the other UI tests cover).
const raceEnabled = true
