// Package web embeds the templates and static files into the binary.
package web

import "embed"

// FS holds templates/, static/ and mail/ (the mails' templates).
//
//go:embed templates static mail
var FS embed.FS
