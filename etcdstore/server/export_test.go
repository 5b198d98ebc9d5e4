package server

// SetRename replaces the restore's renames (a test stops it half-way); it
// returns the function that puts os.Rename back.
func SetRename(fn func(from, to string) error) (restore func()) {
	old := rename
	rename = fn
	return func() { rename = old }
}
