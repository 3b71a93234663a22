package forum

import (
	"strconv"
	"strings"
	"time"
)

// A deleted account keeps its users row, so its posts stay in their threads and every
// thread stays whole; what it was called is gone. The row takes a placeholder username
// (the column's CHECK still holds) and every page, feed and API answer shows DeletedName
// for it. The name it had is held for NameHold, so nobody can pick it up at once and be
// taken for the person who left.

// DeletedName is how a deleted account is named wherever it wrote. No username can be
// it (brackets are not allowed in one), so a shown name equal to it always means this.
const DeletedName = "[deleted]"

// NameHold is how long a deleted account's username stays refused at registration.
const NameHold = 30 * 24 * time.Hour

// deletedPrefix starts every placeholder username.
const deletedPrefix = "deleted-"

// DeletedUsername is the placeholder username of deleted account id: unique because the
// id is, and within the username CHECK for any bigserial id.
func DeletedUsername(id int64) string { return deletedPrefix + strconv.FormatInt(id, 10) }

// IsDeletedUsername reports whether name has the placeholders' shape: registration
// refuses it (ValidateNewUsername), so it never collides with a deletion.
func IsDeletedUsername(name string) bool {
	rest, ok := strings.CutPrefix(name, deletedPrefix)
	if !ok || rest == "" {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// DisplayName is the name shown for an account: its username, or DeletedName once it is
// deleted. The store applies it in SQL to every name it reads for display
// (sqlDisplayName); its tests hold the two equal.
func DisplayName(username string, deleted bool) string {
	if deleted {
		return DeletedName
	}
	return username
}

// IsDeletedName reports whether a shown name stands for a deleted account: templates
// show it without a link to a person's page.
func IsDeletedName(name string) bool { return name == DeletedName }

// NameHeld is the conflict of a name a deleted account gave up less than NameHold ago.
func NameHeld(name string) error {
	return Errorf(EConflict, "The username %q belonged to an account that was deleted recently; it is held for %d days. Please choose another.",
		name, int(NameHold/(24*time.Hour))).T("error.name_held", "Name", name, "Days", int(NameHold/(24*time.Hour)))
}

// ErrDeletePassword refuses a deletion whose confirming password is wrong.
var ErrDeletePassword = (&Error{Code: EForbidden, Message: "That password is not right, so your account was not deleted. Type your current password to confirm."}).T("error.delete_password")

// ErrAccountDeleted is the answer to anything asked of an account that is gone.
var ErrAccountDeleted = (&Error{Code: ENotFound, Message: "This account has been deleted."}).T("error.account_deleted")
