package fieldprint

import (
	"html"
	"strings"
)

// htmlSkip are elements whose content is never text for a person: scripts,
// styles, the head, embedded objects and forms' options.
var htmlSkip = map[string]bool{
	"script": true, "style": true, "head": true, "title": true, "noscript": true, "template": true,
	"svg": true, "math": true, "object": true, "iframe": true, "select": true, "textarea": true,
}

// htmlBreak are elements that start a new line.
var htmlBreak = map[string]bool{
	"br": true, "p": true, "div": true, "li": true, "tr": true, "table": true, "blockquote": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true, "pre": true,
	"ul": true, "ol": true, "dl": true, "dt": true, "dd": true, "section": true, "article": true,
	"header": true, "footer": true, "address": true, "center": true,
}

// HTMLText extracts the readable text of an HTML body: tags dropped, the
// content of scripts, styles and the head dropped, entities decoded, block
// elements on lines of their own. It never renders, loads or runs anything:
// the result is plain text for a text field. Its work is linear in len(s).
func HTMLText(s string) string {
	var b strings.Builder
	skip := "" // the element whose content is being skipped
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			lt = len(s)
		}
		if skip == "" {
			b.WriteString(html.UnescapeString(s[:lt]))
		}
		s = s[lt:]
		if s == "" {
			break
		}
		switch {
		case strings.HasPrefix(s, "<!--"):
			end := strings.Index(s[4:], "-->")
			if end < 0 {
				return tidyHTMLText(b.String())
			}
			s = s[4+end+3:]
			continue
		case strings.HasPrefix(s, "<![CDATA["):
			end := strings.Index(s, "]]>")
			if end < 0 {
				return tidyHTMLText(b.String())
			}
			if skip == "" {
				b.WriteString(s[9:end])
			}
			s = s[end+3:]
			continue
		}
		if len(s) < 2 || !isTagStart(s[1]) {
			// "<" that opens no tag is text, as browsers read it.
			if skip == "" {
				b.WriteByte('<')
			}
			s = s[1:]
			continue
		}
		gt := tagEnd(s)
		if gt < 0 {
			break // a tag cut off at the end
		}
		tag := s[1:gt]
		s = s[gt+1:]
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.TrimLeft(tag, "/!?"))
		if i := strings.IndexAny(name, " \t\r\n/>"); i >= 0 {
			name = name[:i]
		}
		switch {
		case skip != "":
			if closing && name == skip {
				skip = ""
			}
		case htmlSkip[name] && !closing && !strings.HasSuffix(tag, "/"):
			skip = name
		case htmlBreak[name]:
			b.WriteByte('\n')
		case name == "td" || name == "th":
			if !closing {
				b.WriteByte(' ')
			}
		}
	}
	return tidyHTMLText(b.String())
}

func isTagStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// tagEnd finds the ">" closing the tag that starts s, outside quoted
// attribute values; -1 when there is none.
func tagEnd(s string) int {
	var quote byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		}
	}
	return -1
}

// tidyHTMLText collapses the spaces HTML ignores and keeps the line breaks
// its blocks made.
func tidyHTMLText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
