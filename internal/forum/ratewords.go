package forum

// rateLimitKey names e's catalog message by what was counted (the Attempt's What),
// with the wait as data: each refusal is a sentence of its own in the catalogs, since
// "Too many <what>" cannot be assembled word by word in every language.
func rateLimitKey(e *Error, what string) *Error {
	wait := e.RetryAfter
	switch what {
	case "replies":
		return e.T("error.too_many.replies", "Wait", wait)
	case "new threads":
		return e.T("error.too_many.threads", "Wait", wait)
	case "edits":
		return e.T("error.too_many.edits", "Wait", wait)
	case "flags":
		return e.T("error.too_many.flags", "Wait", wait)
	case "insightful marks":
		return e.T("error.too_many.insightful", "Wait", wait)
	case "previews":
		return e.T("error.too_many.previews", "Wait", wait)
	case "new accounts from your address":
		return e.T("error.too_many.registrations", "Wait", wait)
	case "failed logins":
		return e.T("error.too_many.logins", "Wait", wait)
	case "password reset requests from your address":
		return e.T("error.too_many.resets_address", "Wait", wait)
	case "password reset requests for this account":
		return e.T("error.too_many.resets_account", "Wait", wait)
	case "requests to change your address":
		return e.T("error.too_many.email_changes", "Wait", wait)
	}
	return e.T("error.too_many.other", "What", "Too many "+what+" in a short time.", "Wait", wait)
}
