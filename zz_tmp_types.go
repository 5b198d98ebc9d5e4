package fieldprint

// TEMPORARY until sniff.go lands.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

const MaxAttachmentBytes = 20 << 20

type FileInfo struct {
	Type          string
	Size          int64
	Width, Height int
}

func SniffFile(name string, data []byte, maxBytes int64) (FileInfo, error) {
	if len(data) == 0 {
		return FileInfo{}, Errorf(EINVALID, "%s is empty", name)
	}
	return FileInfo{Type: TypePNG, Size: int64(len(data)), Width: 1, Height: 1}, nil
}
