package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// usersScreen is the administrator's list of staff accounts: add one, edit
// a person's name and badge, reset a password, unlock, disable and enable.
type usersScreen struct {
	ui      *UI
	list    *fyne.Container
	message *widget.Label
	note    *widget.Label
	content fyne.CanvasObject
	keys    bool // the office has its data key: accounts without a slot say so
}

// withoutKey counts the enabled accounts that cannot open the office's data.
func (s *usersScreen) withoutKey(us []fp.User) (n int) {
	for _, a := range us {
		if s.keys && !a.HasKey && !a.Disabled {
			n++
		}
	}
	return n
}

func newUsersScreen(u *UI) *usersScreen {
	s := &usersScreen{ui: u, list: container.NewVBox(), message: widget.NewLabel(""), note: widget.NewLabel("")}
	s.message.Wrapping = fyne.TextWrapWord
	s.note.Wrapping = fyne.TextWrapWord
	s.note.Importance = widget.WarningImportance
	add := widget.NewButtonWithIcon("Add account…", theme.ContentAddIcon(), s.onAdd)
	add.Importance = widget.HighImportance
	rule := widget.NewLabel(fmt.Sprintf("Five wrong passwords within %d minutes lock an account for %d minutes. "+
		"The only enabled administrator is never locked (nobody could unlock it): after five wrong passwords each "+
		"sign-in waits %d seconds instead. Times are office time.", int(fp.LockWindow.Minutes()), int(fp.LockFor.Minutes()), int(fp.LastAdminDelay.Seconds())))
	rule.Wrapping = fyne.TextWrapWord
	rule.SizeName = theme.SizeNameCaptionText
	recovery := widget.NewButtonWithIcon("New recovery key…", theme.WarningIcon(), u.newRecoveryKey)
	s.content = container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, heading("Staff accounts"), container.NewHBox(recovery, add)), rule, s.note, widget.NewSeparator()),
		s.message, nil, nil, container.NewVScroll(s.list))
	return s
}

func (s *usersScreen) refresh() {
	us, err := s.ui.db.ListUsers()
	if err != nil {
		s.ui.showError(err)
		return
	}
	s.list.RemoveAll()
	admins := 0
	for _, a := range us {
		if a.Role == fp.RoleAdmin && !a.Disabled {
			admins++
		}
	}
	s.note.SetText("")
	s.note.Hide()
	var notes []string
	if admins == 1 {
		notes = append(notes, "There is one enabled administrator. Add a second one, so the office is never without someone who can manage accounts.")
	}
	s.keys, _ = s.ui.db.KeysSetUp()
	if n := s.withoutKey(us); n > 0 {
		notes = append(notes, fmt.Sprintf("%d %s no key to the office's data and cannot sign in: set a new password for %s (Password…).",
			n, plural(n, "enabled account has", "enabled accounts have"), plural(n, "it", "each")))
	}
	if len(notes) > 0 {
		s.note.SetText(strings.Join(notes, "\n"))
		s.note.Show()
	}
	for _, a := range us {
		s.list.Add(s.row(a))
	}
	s.list.Refresh()
}

// state says whether the account can sign in, in words.
func (s *usersScreen) state(a fp.User) (string, widget.Importance) {
	now := s.ui.Now()
	switch {
	case a.Disabled:
		return "Disabled", widget.LowImportance
	case a.Locked(now):
		return "Locked until " + a.LockedUntil.In(s.ui.db.Location()).Format("15:04"), widget.DangerImportance
	case s.keys && !a.HasKey:
		return "No key: needs a new password", widget.DangerImportance
	case len(a.Failures) > 0:
		return fmt.Sprintf("Active · %d failed sign-in %s lately", len(a.Failures), plural(len(a.Failures), "attempt", "attempts")), widget.WarningImportance
	}
	return "Active", widget.SuccessImportance
}

func (s *usersScreen) row(a fp.User) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(a.Display(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	if a.FullName == "" {
		title.SetText(a.Name + " (no full name yet: Edit to add it)")
	}
	stateText, imp := s.state(a)
	state := widget.NewLabel(stateText)
	state.Importance = imp
	info := container.NewVBox(title, container.NewHBox(
		widget.NewLabelWithStyle(a.Name, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
		widget.NewLabel(string(a.Role)), state))
	buttons := container.NewHBox(
		widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), func() { s.onEdit(a) }),
		widget.NewButtonWithIcon("Password…", theme.AccountIcon(), func() { s.onPassword(a) }))
	if a.Locked(s.ui.Now()) || len(a.Failures) > 0 {
		buttons.Add(widget.NewButtonWithIcon("Unlock", theme.LoginIcon(), func() { s.act("unlocked", a.Name, s.ui.db.UnlockUser) }))
	}
	if a.Disabled {
		buttons.Add(widget.NewButtonWithIcon("Enable", theme.ConfirmIcon(), func() { s.act("enabled", a.Name, s.ui.db.EnableUser) }))
	} else if a.Name != s.ui.actor.Name {
		disable := widget.NewButtonWithIcon("Disable", theme.CancelIcon(), func() {
			dialog.ShowConfirm("Disable "+a.Name, fmt.Sprintf("%s will no longer be able to sign in. The history keeps everything they did. Disable the account?", a.Display()),
				func(ok bool) {
					if ok {
						s.act("disabled", a.Name, s.ui.db.DisableUser)
					}
				}, s.ui.win)
		})
		disable.Importance = widget.DangerImportance
		buttons.Add(disable)
	}
	return container.NewVBox(container.NewBorder(nil, nil, nil, container.NewCenter(buttons), info), widget.NewSeparator())
}

// act runs one change of an account and says what happened.
func (s *usersScreen) act(done, name string, fn func(fp.Actor, string) error) {
	s.ui.touch()
	if err := fn(s.ui.actor, name); err != nil {
		s.ui.showError(err)
		return
	}
	s.refresh()
	s.say(widget.SuccessImportance, fmt.Sprintf("%s %s at %s.", name, done, s.ui.clock()))
}

func (s *usersScreen) say(imp widget.Importance, text string) {
	s.message.Importance = imp
	s.message.SetText(text)
}

// passwordPair is a new password typed twice.
func passwordPair() (pw, again *widget.Entry, check func() (string, error)) {
	pw, again = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	pw.SetPlaceHolder(fmt.Sprintf("at least %d characters", fp.MinPasswordLength))
	return pw, again, func() (string, error) {
		if pw.Text != again.Text {
			return "", fp.Errorf(fp.EINVALID, "the two passwords differ: type the same password twice")
		}
		return pw.Text, nil
	}
}

func (s *usersScreen) onAdd() {
	name, full, badge := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	name.SetPlaceHolder("e.g. mlopez")
	full.SetPlaceHolder("as stamped notices and day sheets print it")
	badge.SetPlaceHolder("optional")
	roles := []string{string(fp.RoleClerk), string(fp.RoleDirector), string(fp.RoleAdmin)}
	role := widget.NewSelect(roles, nil)
	role.SetSelected(string(fp.RoleClerk))
	pw, again, check := passwordPair()
	d := s.ui.newFormDialog("Add an account", "Add", []*widget.FormItem{
		widget.NewFormItem("User name", name), widget.NewFormItem("Full name", full), widget.NewFormItem("Badge or officer no.", badge),
		widget.NewFormItem("Role", role), widget.NewFormItem("Password", pw), widget.NewFormItem("Again", again),
	}, func() error {
		p, err := check()
		if err != nil {
			return err
		}
		acc, err := s.ui.db.CreateUser(&s.ui.actor, fp.NewUser{Name: name.Text, FullName: full.Text, Badge: badge.Text, Role: fp.Role(role.Selected), Password: p})
		if err != nil {
			return err
		}
		s.refresh()
		s.say(widget.SuccessImportance, fmt.Sprintf("Added %s (%s, %s). Give them the password in person.", acc.Name, acc.Display(), acc.Role))
		return nil
	})
	d.show(s.ui, 560)
	s.ui.win.Canvas().Focus(name)
}

func (s *usersScreen) onEdit(a fp.User) {
	full, badge := widget.NewEntry(), widget.NewEntry()
	full.SetText(a.FullName)
	badge.SetText(a.Badge)
	d := s.ui.newFormDialog("Edit "+a.Name, "Save", []*widget.FormItem{
		widget.NewFormItem("Full name", full), widget.NewFormItem("Badge or officer no.", badge),
	}, func() error {
		if err := s.ui.db.SetUserDetails(s.ui.actor, a.Name, full.Text, badge.Text); err != nil {
			return err
		}
		if a.Name == s.ui.actor.Name {
			s.ui.loadWho()
		}
		s.refresh()
		s.say(widget.SuccessImportance, "Saved "+a.Name+"'s name and badge.")
		return nil
	})
	d.show(s.ui, 520)
}

func (s *usersScreen) onPassword(a fp.User) {
	pw, again, check := passwordPair()
	intro := widget.NewLabel(fmt.Sprintf("A new password for %s. Give it to them in person; they can sign in with it at once.", a.Display()))
	intro.Wrapping = fyne.TextWrapWord
	d := s.ui.newFormDialog("Reset the password of "+a.Name, "Set password", []*widget.FormItem{
		widget.NewFormItem("", intro), widget.NewFormItem("New password", pw), widget.NewFormItem("Again", again),
	}, func() error {
		p, err := check()
		if err != nil {
			return err
		}
		if err := s.ui.db.SetPassword(s.ui.actor, a.Name, p); err != nil {
			return err
		}
		s.refresh()
		s.say(widget.SuccessImportance, "Password set for "+a.Name+".")
		return nil
	})
	d.show(s.ui, 520)
	s.ui.win.Canvas().Focus(pw)
}
