//go:build race

package officedesk_test

// raceEnabled: the soak test starts five processes (a server killed and
// restarted, three desks) for a fixed time; under the race detector each
// does a fraction of the work. make test runs it in a pass of its own
// without -race: it hunts lost or doubled changes across kills, not data
// races, which the other tests here cover with -race.
const raceEnabled = true
