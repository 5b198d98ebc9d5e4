//go:build ci

package main

import (
	"strings"
	"testing"
)

// The real-window self-test cannot run on the headless driver: it says so
// (make test runs it on the real binary under Xvfb).
func TestSelfTestNeedsTheRealWindow(t *testing.T) {
	code, _, stderr := fieldprint(t, "", "self-test")
	if code != 1 || !strings.Contains(stderr, "needs the real window") {
		t.Fatalf("self-test with -tags ci: exit %d, %q; want 1 and that it needs the real window", code, stderr)
	}
	for _, bad := range []string{"1024", "1024x", "x700", "wide", "100x100", "1024x700x3"} {
		if code, _, stderr := fieldprint(t, "", "self-test", "--size", bad); code != 2 || !strings.Contains(stderr, "WIDTHxHEIGHT") {
			t.Errorf("self-test --size %s: exit %d, %q; want a usage error", bad, code, stderr)
		}
	}
	if code, _, _ := fieldprint(t, "", "self-test", "extra"); code != 2 {
		t.Errorf("self-test extra: exit %d, want 2", code)
	}
}
