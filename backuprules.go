package fieldprint

// CheckBackup says whether a may make a backup or restore one by hand: an
// administrator. (The window's daily backup runs as whoever is signed in:
// it needs only the office's data key, which signing in unlocked.)
func CheckBackup(a Actor) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "only an administrator makes or restores a backup by hand; %s is a %s", a.Name, a.Role)
	}
	return nil
}
