package ui

import (
	"os"
	"testing"

	"github.com/fieldprint/fieldprint/store"
)

// TestMain hashes passwords cheaply: the production cost is tested in store.
func TestMain(m *testing.M) {
	store.PasswordCost = store.TestCost
	os.Exit(m.Run())
}
