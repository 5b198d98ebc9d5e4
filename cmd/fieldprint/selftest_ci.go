//go:build ci

package main

// realWindow: -tags ci builds Fyne's headless driver, which cannot stand in
// for the real window self-test checks.
const realWindow = false
