//go:build !windows

package main

// isolateWindowsSettings: elsewhere XDG_CONFIG_HOME is enough.
func isolateWindowsSettings(string) {}
