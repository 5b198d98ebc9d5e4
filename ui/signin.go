package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
	"github.com/fieldprint/fieldprint/demo"
)

// signInScreen asks who is at the desk. Nothing with personal data is on
// screen until a password has been checked.
type signInScreen struct {
	lockedFor      string // the user whose session an idle lock is keeping, if any
	name, password *widget.Entry
	message        *widget.Label
	button         *widget.Button
	content        fyne.CanvasObject
}

func newSignInScreen(u *UI, note string) *signInScreen {
	s := &signInScreen{name: widget.NewEntry(), password: widget.NewPasswordEntry(), message: widget.NewLabel(note)}
	s.name.SetPlaceHolder("user name")
	s.password.SetPlaceHolder("password")
	s.message.Wrapping = fyne.TextWrapWord
	s.button = widget.NewButtonWithIcon("Sign in", theme.LoginIcon(), func() { u.trySignIn(s) })
	s.button.Importance = widget.HighImportance
	s.name.OnSubmitted = func(string) { u.win.Canvas().Focus(s.password) }
	s.password.OnSubmitted = func(string) { u.trySignIn(s) }
	form := widget.NewForm(widget.NewFormItem("User", s.name), widget.NewFormItem("Password", s.password))
	forgot := widget.NewButton("Forgot the administrator password?", func() { u.recoverDialog(s) })
	forgot.Importance = widget.LowImportance
	box := container.NewVBox(
		widget.NewLabelWithStyle("Fieldprint", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel("Sign in to work on requests."),
		form, container.NewHBox(forgot, layout.NewSpacer(), s.button), s.message)
	s.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(440, box.MinSize().Height+60), box))
	return s
}

func (u *UI) trySignIn(s *signInScreen) {
	if s.lockedFor != "" && strings.ToLower(strings.TrimSpace(s.name.Text)) != s.lockedFor {
		s.password.SetText("")
		s.message.SetText(fmt.Sprintf("This desk is locked for %s. Another person uses \"Switch user\".", s.lockedFor))
		return
	}
	password := s.password.Text
	a, err := u.db.Authenticate(s.name.Text, password)
	s.password.SetText("")
	if err != nil {
		s.message.SetText(fp.ErrorMessage(err))
		s.message.Importance = widget.DangerImportance
		s.message.Refresh()
		u.win.Canvas().Focus(s.password)
		return
	}
	if s.lockedFor != "" {
		u.unlock() // the same person: everything as they left it, unsaved edits included
		return
	}
	if u.setUpKeysAtSignIn(a, password, s) {
		return // signs in once the recovery key is written down
	}
	u.signedIn(a)
}

// lock hides everything after IdleAfter without activity. The session (and
// any unsaved form) is kept for the same user; anyone else switches user.
func (u *UI) lock() {
	if u.actor.Name == "" || u.locked {
		return
	}
	u.locked = true
	u.db.Lock() // the office key is forgotten until the same person signs in again
	s := newSignInScreen(u, fmt.Sprintf("Locked after %s without activity. %s, sign in to continue where you left off.", u.IdleAfter, u.actor.Name))
	s.lockedFor = u.actor.Name
	s.name.SetText(u.actor.Name)
	switchBtn := widget.NewButtonWithIcon("Switch user", theme.LogoutIcon(), func() {
		u.win.SetContent(u.main) // leave() shows its question over the form
		u.locked = false
		u.SwitchUser()
	})
	s.content = container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), switchBtn), nil, nil, s.content)
	u.win.SetContent(s.content)
	u.win.Canvas().Focus(s.password)
}

func (u *UI) unlock() {
	u.locked = false
	u.touch()
	u.win.SetContent(u.main)
}

// touch records activity; checkIdle locks when there has been none for IdleAfter.
func (u *UI) touch() { u.lastActive = u.Now() }

func (u *UI) checkIdle() {
	if u.IdleAfter > 0 && u.actor.Name != "" && !u.locked && u.Now().Sub(u.lastActive) >= u.IdleAfter {
		u.lock()
	}
}

// showSignIn replaces everything on screen with the sign-in form (or, on a
// database without accounts, the first-run form).
func (u *UI) showSignIn(note string) {
	u.closeForm()
	u.actor = fp.Actor{}
	u.db.Lock()
	u.setTitle()
	if n, err := u.db.CountUsers(); err == nil && n == 0 {
		u.win.SetContent(newFirstRun(u))
		return
	}
	s := newSignInScreen(u, note)
	u.win.SetContent(s.content)
	u.win.Canvas().Focus(s.name)
}

// newFirstRun is what a brand-new database opens on: create the first
// administrator, or load the demo office to look around.
func newFirstRun(u *UI) fyne.CanvasObject {
	name, full, pw, again := widget.NewEntry(), widget.NewEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	name.SetPlaceHolder("e.g. admin.guangzhou")
	full.SetPlaceHolder("the administrator's full name")
	pw.SetPlaceHolder(fmt.Sprintf("at least %d characters", fp.MinPasswordLength))
	msg := widget.NewLabel("")
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance
	create := widget.NewButtonWithIcon("Create administrator", theme.AccountIcon(), func() {
		if pw.Text != again.Text {
			msg.SetText("The two passwords differ: type the same password twice.")
			return
		}
		acc, err := u.db.CreateUser(nil, fp.NewUser{Name: name.Text, FullName: full.Text, Role: fp.RoleAdmin, Password: pw.Text})
		if err != nil {
			msg.SetText(fp.ErrorMessage(err))
			return
		}
		done := func() {
			u.showSignIn("Administrator created. Sign in, then add the clerks' and directors' accounts on the Users screen.")
		}
		// The office data key is made with the first administrator's
		// password; its recovery key is shown now, once.
		key, err := u.db.SetUpKeys(acc.Actor(), pw.Text)
		if err != nil {
			u.logError(err)
			u.showSignIn("Administrator created, but the office's data key was not made (" + fp.ErrorMessage(err) + "): sign in to make it.")
			return
		}
		u.showRecoveryKey(key, done)
	})
	create.Importance = widget.HighImportance
	demoBtn := widget.NewButtonWithIcon("Load demo data instead", theme.DownloadIcon(), func() {
		rs, err := demo.Load(u.db, u.DemoCount, u.today())
		if err != nil {
			msg.SetText(fp.ErrorMessage(err))
			return
		}
		u.showSignIn(fmt.Sprintf("Loaded %d demo requests. Demo accounts: clerk, director and admin, all with the password %q.", len(rs), demo.Password))
	})
	join := widget.NewButtonWithIcon("Join an office server…", theme.ComputerIcon(), u.onJoin)
	joinNote := widget.NewLabel("A desk of an office that shares its caseload on an office server joins it instead: the IT contact gives the server's address and this desk's file.")
	joinNote.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel("This database is new. Fieldprint keeps the office's requests to have biometrics " +
		"(fingerprints, photo, signature) collected here: intake, document checks, decisions and the triage queue.\n\n" +
		"Create the first administrator account, who then adds the clerks and directors. " +
		"Or load a realistic demo office, with one account per role, to look around first.")
	intro.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(
		widget.NewLabelWithStyle("Welcome to Fieldprint", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro,
		widget.NewForm(widget.NewFormItem("User name", name), widget.NewFormItem("Full name", full), widget.NewFormItem("Password", pw), widget.NewFormItem("Again", again)),
		container.NewHBox(demoBtn, layout.NewSpacer(), create), msg,
		widget.NewSeparator(), joinNote, container.NewHBox(join))
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(600, box.MinSize().Height+80), box))
}

// onJoin asks for the office server's address and this desk's file, and
// connects: the window then signs in on the office there.
func (u *UI) onJoin() {
	server := widget.NewEntry()
	server.SetPlaceHolder("https://server.office.example:2379")
	file := widget.NewEntry()
	file.SetPlaceHolder("the desk's file from fieldprint desk add")
	choose := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				file.SetText(r.URI().Path())
				r.Close()
			}
		}, u.win)
		d.Show()
	})
	var joined Store
	var place string
	d := u.newFormDialog("Join an office server", "Connect", []*widget.FormItem{
		widget.NewFormItem("Server", server),
		widget.NewFormItem("Desk file", container.NewBorder(nil, nil, nil, choose, file)),
	}, func() error {
		switch {
		case strings.TrimSpace(server.Text) == "":
			return fp.Errorf(fp.EINVALID, "type the office server's address, e.g. https://server.office.example:2379")
		case strings.TrimSpace(file.Text) == "":
			return fp.Errorf(fp.EINVALID, "choose this desk's file (the IT contact makes it with fieldprint desk add)")
		case u.Joiner == nil:
			return fp.Errorf(fp.EINVALID, "this window cannot join a server: start it with fieldprint --server https://HOST:2379 --desk-file FILE")
		}
		s, p, err := u.Joiner(strings.TrimSpace(server.Text), strings.TrimSpace(file.Text))
		if err != nil {
			return err
		}
		joined, place = s, p
		return nil
	})
	d.then = func() {
		u.db, u.place = joined, place
		u.queue = newQueueScreen(u)
		u.follow(joined)
		u.showSignIn("Connected to " + place + ". Sign in with your account of the office.")
	}
	d.show(u, 600)
}
