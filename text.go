package fieldprint

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// specialFold maps letters that do not decompose into base + mark under NFD.
var specialFold = map[rune]string{
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ø': "o", 'Ø': "o", 'ß': "ss", 'ẞ': "ss",
	'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ı': "i", 'þ': "th", 'Þ': "th", 'ð': "d", 'Ð': "d",
	'ħ': "h", 'Ħ': "h", 'ŀ': "l", 'Ŀ': "l",
}

// SqueezeUpper is s trimmed, without its spaces and dashes, in capitals: how
// an identifier typed as "a 123-456-789" or "ABC 12 34" is compared.
func SqueezeUpper(s string) string {
	return strings.ToUpper(squeezer.Replace(strings.TrimSpace(s)))
}

// squeezer is built once: a Replacer builds its tables on first use.
var squeezer = strings.NewReplacer(" ", "", "-", "")

// Fold returns s lower-cased with accents removed, so "Nguyễn" matches "nguyen"
// and "Żółć" matches "zolc". Used for search keys, never for display.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := specialFold[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// SearchTokens splits a folded name into the words a search can match by prefix.
func SearchTokens(s string) []string {
	words := strings.FieldsFunc(Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	seen := make(map[string]bool, len(words))
	out := words[:0]
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// cleanText NFC-normalises, trims and collapses runs of white space. It reports
// a control character (other than newline in multi-line text) as an error.
func cleanText(s string, multiline bool) (string, bool) {
	s = norm.NFC.String(s)
	if multiline {
		lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
		for i, l := range lines {
			var ok bool
			if lines[i], ok = cleanText(l, false); !ok {
				return "", false
			}
		}
		return strings.TrimSpace(strings.Join(lines, "\n")), true
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' {
			return "", false
		}
	}
	return strings.Join(strings.Fields(s), " "), true
}

// NormalizeName cleans a personal name and explains what is wrong with it.
func NormalizeName(s string) (string, string) {
	n, ok := cleanText(s, false)
	switch {
	case !ok:
		return "", "contains a control character; retype it"
	case n == "":
		return "", "is required"
	case len([]rune(n)) > 150:
		return "", "is longer than 150 characters"
	}
	letters := 0
	for _, r := range n {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.In(r, unicode.Mn, unicode.Mc) || r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.' || r == ',':
		case unicode.IsDigit(r):
			return "", "contains a digit: type the name as in the passport"
		default:
			return "", "contains " + string(r) + ", which does not belong in a name: type the name as in the passport"
		}
	}
	if letters == 0 {
		return "", "must contain letters"
	}
	return n, ""
}
