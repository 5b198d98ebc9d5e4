package ui

import (
	"errors"
	"runtime"

	"golang.org/x/sys/windows"
)

// On Windows a written PDF is handed to the shell, as a double click in
// Explorer would: "open" shows it in the default PDF viewer, "print" sends it
// to the default printer through that viewer's own print command. The path
// goes as UTF-16, unquoted, so spaces and non-ASCII user names
// (C:\Users\José Müller\AppData\Local\...) need no escaping. (Fyne's OpenURL
// would pass "file://C:/..." to rundll32, which names C: as a host.)

// shellOpen shows path in the program Windows associates with it.
func shellOpen(path string) error { return shellExecute("open", path) }

// systemPrinter prints through the PDF viewer's print verb. Windows always has
// a way to ask; whether the viewer offers it shows when Print is pressed.
func systemPrinter() (print func(path string) (string, error), unavailable string) {
	return func(path string) (string, error) {
		err := shellExecute("print", path)
		switch {
		case errors.Is(err, windows.ERROR_NO_ASSOCIATION):
			return "", errors.New("the PDF viewer set on this computer has no print command: print from the viewer (Ctrl+P)")
		case err != nil:
			return "", err
		}
		return "Sent to the default printer through the PDF viewer.", nil
	}, ""
}

// shellExecute runs ShellExecuteW on a thread with COM initialised, as the
// shell's documentation asks (some viewers' handlers use COM), and waits
// for its answer (the viewer itself keeps running).
func shellExecute(verb, path string) error {
	v, err := windows.UTF16PtrFromString(verb)
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := windows.CoInitializeEx(0, windows.COINIT_APARTMENTTHREADED|windows.COINIT_DISABLE_OLE1DDE); err == nil {
			defer windows.CoUninitialize()
		}
		done <- windows.ShellExecute(0, v, p, nil, nil, windows.SW_SHOWNORMAL)
	}()
	return <-done
}
