package main

import (
	"os"
	"testing"

	"github.com/fieldprint/fieldprint/workflow"
)

// TestMain hashes passwords cheaply: the production cost is tested in store.
func TestMain(m *testing.M) {
	workflow.PasswordCost = workflow.TestCost
	os.Exit(m.Run())
}
