package ui

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	fp "github.com/fieldprint/fieldprint"
)

// queueLimit bounds the rows drawn at once; the count says when there are more.
const queueLimit = 1000

const (
	filterOpen = "Open requests"
	filterAll  = "All statuses"
	filterDone = "Complete, waiting for decision"
	filterInc  = "Incomplete — from import"
	filterExp  = "Adoption fingerprints expiring (60 days)"
	catAll     = "All categories"
	orderOld   = "Oldest first"
	orderNew   = "Newest first"
)

// queueColumns: each column's natural width, and what its widest cell
// holds (widest; nil for the applicant's name, which takes the room there
// is): on a narrow window a column gives up its slack down to that (or its
// title, if wider), and no further, so the name is cut before a number,
// status or date is (queueMin).
var queueColumns = []struct {
	title  string
	width  float32
	widest func() float32
}{
	{"Number", 135, func() float32 { return labelWidth("FP-2026-00000", fyne.TextStyle{Monospace: true}) }},
	{"Applicant", 220, nil},
	{"Category", 100, func() float32 {
		var w float32
		for _, c := range fp.Categories {
			w = max(w, labelWidth(c.Short(), fyne.TextStyle{}))
		}
		return w
	}},
	{"Status", 160, func() float32 {
		var w float32
		for _, s := range fp.Statuses {
			w = max(w, badgeWidth(s.Label()))
		}
		return w
	}},
	{"Received", 105, func() float32 { return labelWidth("2026-12-31", fyne.TextStyle{}) }},
	{"Age", 60, func() float32 { return labelWidth("9999 d", fyne.TextStyle{}) }},
	{"People", 65, func() float32 { return labelWidth("99", fyne.TextStyle{}) }},
	// Verified of required, as the request's Documents tab counts them.
	{"Documents", 100, func() float32 { return labelWidth("99/99", fyne.TextStyle{}) }},
}

// nameMin is the least the applicant's name gets (about 12 letters).
const nameMin = 110

// labelWidth is how wide a label showing text is.
func labelWidth(text string, style fyne.TextStyle) float32 {
	return fyne.MeasureText(text, theme.TextSize(), style).Width + 2*theme.InnerPadding()
}

// queueMin is the least column i may shrink to: its widest cell, or its
// bold title, whichever is wider (the name: nameMin).
func queueMin(i int) float32 {
	c := queueColumns[i]
	if c.widest == nil {
		return nameMin
	}
	return min(c.width, max(c.widest(), labelWidth(c.title, fyne.TextStyle{Bold: true})))
}

// fitColumns gives the table's columns the width there is: their natural
// widths, the applicant's name all the room left on a wide window; on a
// narrow one the other columns shrink to what their cells hold before the
// name is cut (with an ellipsis).
type fitColumns struct {
	t      *widget.Table
	widths *[8]float32 // each column's width, as laid out last
}

func (l fitColumns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var natural float32
	for _, c := range queueColumns {
		natural += c.width
	}
	spare := size.Width - natural - theme.ScrollBarSize() - theme.Padding()*float32(len(queueColumns))
	var mins [8]float32
	var slack float32
	for i, c := range queueColumns {
		mins[i] = queueMin(i)
		if i != 1 {
			slack += c.width - mins[i]
		}
	}
	// Too narrow: the other columns give up their slack first, down to
	// what their cells hold; then the name its own, down to nameMin.
	need := max(0, -spare)
	give := min(need, slack)
	for i, c := range queueColumns {
		w := c.width
		switch {
		case i == 1:
			w = max(nameMin, c.width+max(0, spare)-(need-give))
		case give > 0:
			w -= (c.width - mins[i]) * give / slack
		}
		l.t.SetColumnWidth(i, w)
		l.widths[i] = w
	}
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l fitColumns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

type queueScreen struct {
	ui       *UI
	search   *widget.Entry
	status   *widget.Select
	category *widget.Select
	order    *widget.Select
	count    *widget.Label
	table    *widget.Table
	empty    *widget.Label
	list     *fyne.Container
	content  fyne.CanvasObject
	// rows holds one entry per row of the table (at most queueLimit);
	// only the pages drawn are asked for (loaded[page]), a row not yet
	// here has ID 0 and is drawn empty until its page comes.
	rows     []fp.RequestSummary
	loaded   map[int]bool
	fetching map[int]bool
	total    int
	badges   map[*fyne.Container]*badge // table cell -> its status badge
	widths   [8]float32                 // the columns' widths (fitColumns)
	// Each key typed asks at once, off the UI thread (newest).
	asker  *newest[queueQuery, queueAnswer]
	shown  int               // the query whose answer the rows hold
	cur    queueQuery        // the query of the rows shown
	onShow func(text string) // test and latency hook: an answer was shown
}

// queueQuery is one question the controls asked.
type queueQuery struct {
	gen      int
	f        fp.RequestFilter
	expiring bool
}

// queuePage is how many rows one query asks for: more than a screen
// shows (about 20 rows at 768 pixels, 60 on a 4K screen).
var queuePage = 100 // a variable: tests ask for smaller pages

func newQueueScreen(u *UI) *queueScreen {
	q := &queueScreen{ui: u, badges: map[*fyne.Container]*badge{}}
	q.asker = &newest[queueQuery, queueAnswer]{ui: u, ask: q.ask, show: q.show}
	q.search = widget.NewEntry()
	q.search.SetPlaceHolder("Search: name, receipt number, A-number or FP number")
	q.search.OnChanged = func(string) { u.touch(); q.refresh() }

	statuses := []string{filterOpen, filterDone, filterInc, filterExp, filterAll}
	for _, s := range fp.Statuses {
		statuses = append(statuses, s.Label())
	}
	q.status = widget.NewSelect(statuses, func(string) { q.refresh() })
	q.status.SetSelectedIndex(0)
	cats := []string{catAll}
	for _, c := range fp.Categories {
		cats = append(cats, c.Short())
	}
	q.category = widget.NewSelect(cats, func(string) { q.refresh() })
	q.category.SetSelectedIndex(0)
	q.order = widget.NewSelect([]string{orderOld, orderNew}, func(string) { q.refresh() })
	q.order.SetSelectedIndex(0)
	q.count = widget.NewLabel("")
	q.count.TextStyle.Bold = true

	q.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(q.rows), len(queueColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			b := newBadge()
			b.box.Hide()
			cell := container.NewStack(l, b.box)
			q.badges[cell] = b
			return cell
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { q.updateCell(id, o) })
	q.table.ShowHeaderColumn = false
	q.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		return l
	}
	q.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(queueColumns[id.Col].title)
		}
	}
	for i, c := range queueColumns {
		q.table.SetColumnWidth(i, c.width)
		q.widths[i] = c.width
	}
	q.table.OnSelected = func(id widget.TableCellID) {
		q.table.UnselectAll()
		if id.Row >= 0 && id.Row < len(q.rows) && q.rows[id.Row].ID != 0 {
			u.OpenRequest(q.rows[id.Row].ID)
		}
	}
	q.empty = widget.NewLabel("")
	q.empty.Alignment = fyne.TextAlignCenter
	q.empty.Wrapping = fyne.TextWrapWord
	q.list = container.New(fitColumns{q.table, &q.widths}, q.table)

	newBtn := widget.NewButtonWithIcon("New request", theme.ContentAddIcon(), func() { u.Navigate(navNew) })
	newBtn.Importance = widget.HighImportance
	importBtn := widget.NewButtonWithIcon("Import…", theme.UploadIcon(), u.onImport)
	exportBtn := widget.NewButtonWithIcon("Export…", theme.DownloadIcon(), u.onExport)
	if !u.actor.CanHandleCases() {
		newBtn.Hide() // an administrator records nothing
		importBtn.Hide()
	}
	fixed := func(w float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	filters := container.NewHBox(fixed(250, q.status), fixed(160, q.category), fixed(150, q.order))
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), container.NewHBox(newBtn, importBtn, exportBtn), q.search),
		container.NewBorder(nil, nil, filters, nil, q.count),
	)
	q.content = container.NewBorder(top, nil, nil, nil, q.list)
	return q
}

// filter is what the controls ask for.
func (q *queueScreen) filter() fp.RequestFilter {
	f := fp.RequestFilter{Search: q.search.Text, Newest: q.order.Selected == orderNew, Limit: queueLimit}
	switch sel := q.status.Selected; sel {
	case filterAll:
	case filterDone:
		f.DocsComplete = true
	case filterInc:
		f.Incomplete = true
	case filterOpen, "":
		for _, s := range fp.Statuses {
			if s.Open() {
				f.Statuses = append(f.Statuses, s)
			}
		}
	default:
		for _, s := range fp.Statuses {
			if s.Label() == sel {
				f.Statuses = []fp.Status{s}
			}
		}
	}
	for _, c := range fp.Categories {
		if c.Short() == q.category.Selected {
			f.Categories = []fp.Category{c}
		}
	}
	return f
}

// refresh asks for the rows the controls ask for (newest.Ask).
func (q *queueScreen) refresh() {
	if q.content == nil {
		return // still being built
	}
	f := q.filter()
	f.Limit = queuePage
	q.asker.Ask(queueQuery{f: f, expiring: q.status.Selected == filterExp})
}

// queueAnswer is what a query returned.
type queueAnswer struct {
	rows  []fp.RequestSummary
	total int
	err   error
}

func (q *queueScreen) ask(qq queueQuery) (a queueAnswer) {
	a.rows, a.total, a.err = q.query(qq.f, qq.expiring)
	return a
}

func (q *queueScreen) query(f fp.RequestFilter, expiring bool) ([]fp.RequestSummary, int, error) {
	if expiring {
		rows, total, err := q.expiring()
		if f.Offset < len(rows) {
			rows = rows[f.Offset:min(len(rows), f.Offset+f.Limit)]
		} else {
			rows = nil
		}
		return rows, total, err
	}
	return q.ui.db.FindRequests(f)
}

func (q *queueScreen) show(gen int, qq queueQuery, a queueAnswer) {
	rows, total, err := a.rows, a.total, a.err
	qq.gen = gen
	if err != nil {
		q.ui.showError(err)
		return
	}
	q.shown, q.cur, q.total = qq.gen, qq, total
	q.rows = make([]fp.RequestSummary, min(total, queueLimit))
	copy(q.rows, rows)
	q.loaded, q.fetching = map[int]bool{}, map[int]bool{}
	// A page short of what the count promises (a request committed after
	// the query's snapshot) is asked for again when drawn.
	q.loaded[0] = len(rows) >= min(queuePage, len(q.rows))
	switch {
	case total == 0 && q.search.Text != "":
		q.count.SetText("No matches")
		q.empty.SetText(fmt.Sprintf("Nothing matches %q with these filters.\nCheck the spelling, type fewer letters, or choose \"All statuses\".", q.search.Text))
	case total == 0:
		q.count.SetText("No requests")
		q.empty.SetText("No requests with these filters.\nChoose \"All statuses\" or another category, or record a new request (Ctrl+N).")
	case total > len(q.rows):
		q.count.SetText(fmt.Sprintf("Showing %d of %d requests: search or filter to narrow", len(q.rows), total))
	case total == 1:
		q.count.SetText("1 request")
	default:
		q.count.SetText(fmt.Sprintf("%d requests", total))
	}
	if total == 0 {
		q.list.Objects = []fyne.CanvasObject{q.empty}
	} else {
		q.list.Objects = []fyne.CanvasObject{q.table}
	}
	q.list.Refresh() // the table inside it too: once per answer
	if q.onShow != nil {
		q.onShow(qq.f.Search)
	}
}

// row returns the row i of the table, asking for its page when it has
// not come yet (then the row is empty: ID 0).
func (q *queueScreen) row(i int) fp.RequestSummary {
	page := i / queuePage
	if q.loaded[page] || q.fetching[page] {
		return q.rows[i]
	}
	f := q.cur.f
	f.Offset, f.Limit = page*queuePage, min(queuePage, len(q.rows)-page*queuePage)
	gen := q.shown
	fill := func(rows []fp.RequestSummary, err error) {
		delete(q.fetching, page)
		if gen != q.shown {
			return // another answer is shown now
		}
		if err != nil {
			q.ui.showError(err)
			return
		}
		q.loaded[page] = true
		copy(q.rows[f.Offset:], rows)
	}
	q.fetching[page] = true
	if q.ui.inline {
		rows, _, err := q.query(f, q.cur.expiring)
		fill(rows, err)
		return q.rows[i]
	}
	go func() {
		rows, _, err := q.query(f, q.cur.expiring)
		fyne.Do(func() {
			fill(rows, err)
			if gen == q.shown {
				q.table.Refresh()
			}
		})
	}()
	return q.rows[i]
}

// expiring lists adoption households whose fingerprints (valid 15 months)
// lapse within 60 days: they may need to be fingerprinted again.
func (q *queueScreen) expiring() ([]fp.RequestSummary, int, error) {
	es, err := q.ui.db.ExpiringFingerprints(60)
	if err != nil {
		return nil, 0, err
	}
	rows := make([]fp.RequestSummary, len(es))
	for i, e := range es {
		rows[i] = e.Summary
	}
	return rows, len(rows), nil
}

func (q *queueScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	if id.Row < 0 || id.Row >= len(q.rows) {
		return
	}
	r := q.row(id.Row)
	cell := o.(*fyne.Container)
	l, b := cell.Objects[0].(*widget.Label), q.badges[cell]
	if id.Col == 3 && r.ID != 0 {
		l.Hide()
		b.set(r.Status)
		b.box.Show()
		return
	}
	b.box.Hide()
	l.Show()
	text := ""
	switch {
	case r.ID == 0: // its page is on its way
	case id.Col == 0:
		text = r.Number
	case id.Col == 1:
		text = r.FullName
		if r.Incomplete {
			text += " · incomplete"
		}
	case id.Col == 2:
		text = r.Category.Short()
	case id.Col == 4:
		text = r.Received.String()
	case id.Col == 5:
		text = strconv.Itoa(r.Received.DaysUntil(q.ui.today())) + " d"
	case id.Col == 6:
		text = strconv.Itoa(r.People)
	case id.Col == 7 && r.Docs.Required > 0:
		// Verified of required (as the Documents tab): what is left to check or chase.
		text = r.Docs.String()
	}
	// A text cut with an ellipsis is shaped again at every change (Fyne
	// shapes it with a new shaper each time: most of a redraw's time), so
	// only a text wider than its column is; a text's width is measured
	// once (Fyne keeps it).
	mono := id.Col == 0
	trunc := fyne.TextTruncateOff
	if text != "" {
		w := fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{Monospace: mono}).Width
		if w+2*theme.InnerPadding() > q.widths[id.Col] {
			trunc = fyne.TextTruncateEllipsis
		}
	}
	switch {
	case l.Truncation != trunc || l.TextStyle.Monospace != mono:
		l.Truncation, l.TextStyle.Monospace, l.Text = trunc, mono, text
		l.Refresh()
	case l.Text != text:
		l.SetText(text)
	}
}
