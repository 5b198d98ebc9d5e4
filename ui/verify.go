package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// verifyScreen says whether a presented stamped notice is genuine: from the
// code printed on the stamp, or its QR code scanned into the field.
type verifyScreen struct {
	ui      *UI
	code    *widget.Entry
	verdict *canvas.Text
	bg      *canvas.Rectangle
	facts   *widget.Label
	content fyne.CanvasObject
}

func newVerifyScreen(u *UI) *verifyScreen {
	s := &verifyScreen{ui: u, verdict: canvas.NewText("", color.White), bg: canvas.NewRectangle(color.Transparent)}
	s.code = widget.NewEntry()
	s.code.SetPlaceHolder("The code on the stamp (ABCDE-FGHIJ), or scan its QR code here")
	s.code.OnSubmitted = func(string) { s.check() }
	s.verdict.TextSize = 22
	s.verdict.TextStyle.Bold = true
	s.bg.CornerRadius = 6
	s.facts = widget.NewLabel("")
	s.facts.Wrapping = fyne.TextWrapWord
	btn := widget.NewButtonWithIcon("Check", theme.ConfirmIcon(), s.check)
	btn.Importance = widget.HighImportance
	intro := widget.NewLabel("A stamped notice carries a code and a QR code signed with this office's key. Type the code, or scan the QR code, to see whether the notice is genuine and what it certifies. Compare the name, date and time with the paper: a changed paper with a genuine code shows the facts as they really were.")
	intro.Wrapping = fyne.TextWrapWord
	s.content = container.NewBorder(container.NewVBox(heading("Check a stamped notice"), intro,
		container.NewBorder(nil, nil, nil, btn, s.code)), nil, nil, nil,
		container.NewVBox(container.NewStack(s.bg, container.NewPadded(s.verdict)), s.facts))
	return s
}

func (s *verifyScreen) refresh() { s.ui.win.Canvas().Focus(s.code) }

func (s *verifyScreen) check() {
	u := s.ui
	u.touch()
	text := strings.TrimSpace(s.code.Text)
	if text == "" {
		return
	}
	c, err := u.db.VerifyStamp(text)
	switch {
	case fp.ErrorCode(err) == fp.ENOTFOUND || fp.ErrorCode(err) == fp.EINVALID:
		s.show(false, fp.ErrorMessage(err), "")
	case err != nil:
		u.showError(err)
	case c.Genuine:
		rec := "This office's database holds this stamp"
		if c.Recorded {
			rec += fmt.Sprintf("; %d %s printed.", c.Copies, plural(c.Copies, "copy", "copies"))
		} else {
			rec = "The signature is this office's, but this database has no record of printing it (another desk's copy?)."
		}
		s.show(true, "GENUINE · "+c.Code, "It certifies that "+c.Facts.Describe()+".\n\n"+rec)
	default:
		s.show(false, c.Problem, "What the notice claims: "+c.Facts.Describe()+".")
	}
}

func (s *verifyScreen) show(ok bool, verdict, facts string) {
	if ok {
		s.bg.FillColor = color.NRGBA{0x27, 0x67, 0x49, 0xff}
	} else {
		s.bg.FillColor = color.NRGBA{0xa6, 0x2b, 0x2b, 0xff}
		if !strings.HasPrefix(verdict, "NOT") {
			verdict = "NOT VERIFIED · " + verdict
		}
	}
	if len([]rune(verdict)) > 90 { // the long reason goes below the banner
		facts = verdict + "\n\n" + facts
		verdict = strings.SplitN(verdict, ":", 2)[0]
	}
	s.verdict.Text = verdict
	s.verdict.Refresh()
	s.bg.Refresh()
	s.facts.SetText(facts)
}
