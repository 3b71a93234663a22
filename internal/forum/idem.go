package forum

// MaxIdemKeyLen bounds a form's idempotency key. The forms send 32 hex characters; the
// key is stored beside the post under a unique index, whose rows PostgreSQL limits.
const MaxIdemKeyLen = 64

// ValidateIdemKey checks the idempotency key a form sent back ("" = none).
func ValidateIdemKey(key string) error {
	if len(key) > MaxIdemKeyLen {
		return Errorf(EInvalid, "This form's key is not one the forum gave out. Reload the page and try again.").T("error.idem_key")
	}
	return nil
}
