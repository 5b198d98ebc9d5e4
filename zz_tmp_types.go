package fieldprint

// TEMPORARY until sniff.go lands.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)
