//go:build !ci

package main

// realWindow: this build has the real (GL) driver, which self-test drives.
const realWindow = true
