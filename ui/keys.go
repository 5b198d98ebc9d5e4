package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// showRecoveryKey shows a recovery key once. It closes only after the
// person says they have written it down: it is never shown again, never
// stored, never copied to the clipboard or a file by Fieldprint.
func (u *UI) showRecoveryKey(key string, then func()) {
	text := widget.NewLabelWithStyle(key, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true, Bold: true})
	text.Wrapping = fyne.TextWrapBreak
	why := widget.NewLabel("This is the office's recovery key. Write it down or print this screen now, and keep it " +
		"in the office safe: it is shown only this once.\n\nWith it an administrator gets back into the office's data " +
		"when every administrator password is forgotten (\"Forgot the administrator password?\" on the sign-in screen). " +
		"Whoever holds it can do the same: keep it as you keep the safe's key.")
	why.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	done := widget.NewButtonWithIcon("Done", theme.ConfirmIcon(), func() {
		d.Hide()
		if then != nil {
			then()
		}
	})
	done.Importance = widget.HighImportance
	done.Disable()
	kept := widget.NewCheck("I have written the recovery key down and will keep it in the office safe", func(on bool) {
		if on {
			done.Enable()
		} else {
			done.Disable()
		}
	})
	body := container.NewVBox(why, widget.NewSeparator(), text, widget.NewSeparator(), kept)
	d = dialog.NewCustomWithoutButtons("Recovery key", container.NewVScroll(body), u.win)
	d.SetButtons([]fyne.CanvasObject{done})
	win := u.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(620, win.Width-40), min(body.MinSize().Height+120, win.Height-40)))
	d.Show()
}

// setUpKeysAtSignIn makes the office data key when an administrator signs
// in to a database from before keys, then carries on signing in.
func (u *UI) setUpKeysAtSignIn(a fp.Actor, password string, s *signInScreen) bool {
	if a.Role != fp.RoleAdmin {
		return false
	}
	set, err := u.db.KeysSetUp()
	if err != nil || set {
		return false
	}
	key, err := u.db.SetUpKeys(a, password)
	if err != nil {
		u.logError(err)
		s.message.SetText("The office's data key could not be made: " + fp.ErrorMessage(err))
		s.message.Importance = widget.DangerImportance
		s.message.Refresh()
		return true
	}
	u.showRecoveryKey(key, func() { u.signedIn(a) })
	return true
}

// recoverDialog sets an administrator's password with the recovery key.
func (u *UI) recoverDialog(s *signInScreen) {
	key, name, pw, again := widget.NewEntry(), widget.NewEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	key.SetPlaceHolder("XXXX-XXXX-XXXX-… as printed")
	name.SetPlaceHolder("the administrator's user name")
	name.SetText(s.name.Text)
	pw.SetPlaceHolder(fmt.Sprintf("a new password, at least %d characters", fp.MinPasswordLength))
	intro := widget.NewLabel("Type the recovery key kept in the office safe, the administrator account to get back into, and a new password for it.")
	intro.Wrapping = fyne.TextWrapWord
	f := u.newFormDialog("Forgot the administrator password?", "Set the password", []*widget.FormItem{
		widget.NewFormItem("", intro),
		widget.NewFormItem("Recovery key", key),
		widget.NewFormItem("Administrator", name),
		widget.NewFormItem("New password", pw),
		widget.NewFormItem("Again", again),
	}, func() error {
		if pw.Text != again.Text {
			return fp.Errorf(fp.EINVALID, "the two passwords differ: type the same password twice")
		}
		if err := u.db.Recover(key.Text, name.Text, pw.Text); err != nil {
			return err
		}
		s.name.SetText(name.Text)
		s.message.SetText("The password is set. Sign in with it.")
		s.message.Importance = widget.SuccessImportance
		s.message.Refresh()
		u.win.Canvas().Focus(s.password)
		return nil
	})
	f.show(u, 560)
}

// newRecoveryKey replaces the recovery key, after asking.
func (u *UI) newRecoveryKey() {
	dialog.ShowConfirm("New recovery key", "Make a new recovery key? The one in the safe stops working at once: "+
		"keep the new one there instead.", func(ok bool) {
		if !ok {
			return
		}
		key, err := u.db.NewRecoveryKey(u.actor)
		if err != nil {
			u.showError(err)
			return
		}
		u.showRecoveryKey(key, nil)
	}, u.win)
}
