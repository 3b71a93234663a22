package web

import (
	"html/template"
	"slices"
	"strings"
)

// A rejected form shows its message beside the field it concerns (forum.Error.Field),
// and only a message about no field it shows, or about the whole form, at the top. Every
// form asks the same two functions and renders the same two partials
// (partials/fielderror.html), so the markup is written once:
//
//	{{$e := fieldErr .Error .ErrField "title" "title"}}
//	<input id="title" name="title" {{$e.Attrs "title-help"}}>
//	{{template "fielderror" $e}}
//	...
//	{{template "formerror" (formErr .Error .ErrField "title" "body")}}

// fieldError is one field's share of a rejected form: its message, or none.
type fieldError struct {
	ID      string // the message's element id, "<key>-error"
	Message string // "" when the error is not about this field
}

// fieldErr is field's share of a form's error msg about errField; the message's element
// id is key+"-error" (usually key is the input's id).
func fieldErr(msg, errField, field, key string) fieldError {
	e := fieldError{ID: key + "-error"}
	if msg != "" && errField == field {
		e.Message = msg
	}
	return e
}

// Attrs are the input's aria-describedby (its help texts, and the message first when
// there is one) and, with a message, aria-invalid and autofocus: without JavaScript the
// page opens on the field to fix, and a screen reader reads its message with its label.
func (e fieldError) Attrs(describedBy ...string) template.HTMLAttr {
	ids := describedBy
	if e.Message != "" {
		ids = append([]string{e.ID}, describedBy...)
	}
	var b strings.Builder
	if len(ids) > 0 {
		b.WriteString(`aria-describedby="` + template.HTMLEscapeString(strings.Join(ids, " ")) + `"`)
	}
	if e.Message != "" {
		b.WriteString(` aria-invalid="true" autofocus`)
	}
	return template.HTMLAttr(b.String()) //nolint:gosec // ids come from the templates, escaped
}

// formErr is the message for the top of a form: msg when it concerns none of the
// fields the form shows beside their inputs, else "".
func formErr(msg, errField string, fields ...string) string {
	if errField != "" && slices.Contains(fields, errField) {
		return ""
	}
	return msg
}
