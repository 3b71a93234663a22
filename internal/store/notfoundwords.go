package store

import "forum/internal/forum"

// notFoundWords names the catalog message of notFound's error by what was not found,
// one whole sentence per thing (a noun cannot be slotted into every language's sentence).
func notFoundWords(e *forum.Error, what string) *forum.Error {
	switch what {
	case "Post":
		return e.T("error.not_found.post")
	case "Thread":
		return e.T("error.not_found.thread")
	case "User":
		return e.T("error.not_found.user")
	case "Account":
		return e.T("error.not_found.account")
	case "Category":
		return e.T("error.not_found.category")
	case "Session":
		return e.T("error.not_found.session")
	case "The post you replied to was":
		return e.T("error.not_found.parent")
	}
	return e // its English message stands
}
