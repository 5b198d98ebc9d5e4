package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// On Windows Fieldprint.exe is a GUI program (no console window flashes up
// when it starts from the Start menu), so a command typed in cmd.exe or
// PowerShell would print nothing: Windows gives a GUI program no console.
// When a command is given and its output goes nowhere, attach to the
// console of the shell that started it. Output already redirected (a pipe,
// a file) is left alone. In cmd.exe, `start /wait "" Fieldprint.exe ...`
// makes the prompt wait for the command's output.
func init() {
	if len(os.Args) < 2 || hasHandle(windows.STD_OUTPUT_HANDLE) {
		return
	}
	const attachParentProcess = uintptr(^uint32(0)) // ATTACH_PARENT_PROCESS, (DWORD)-1
	attach := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
	if r, _, _ := attach.Call(attachParentProcess); r == 0 {
		return // started from Explorer or a shortcut: no console to attach to
	}
	if out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout = out
		if !hasHandle(windows.STD_ERROR_HANDLE) {
			os.Stderr = out
		}
	}
	if !hasHandle(windows.STD_INPUT_HANDLE) {
		if in, err := os.OpenFile("CONIN$", os.O_RDWR, 0); err == nil {
			os.Stdin = in
		}
	}
}

// hasHandle reports whether the standard handle leads somewhere.
func hasHandle(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	return err == nil && h != 0 && h != windows.InvalidHandle
}
