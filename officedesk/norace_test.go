//go:build !race

package officedesk_test

const raceEnabled = false
