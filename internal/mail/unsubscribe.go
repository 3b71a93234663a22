package mail

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// One-click unsubscribe (RFC 8058). Every notification mail carries a link that turns
// its recipient's notification mail off, without logging in: its token is the person's
// id and an HMAC over the id and the link's purpose, under a key derived from
// FORUM_SESSION_KEY. So the link needs no table, works on every instance, never expires,
// and cannot be made for anyone else; a new session key retires every link sent before.

// UnsubscribePrefix starts the unsubscribe route; the token follows.
const UnsubscribePrefix = "/mail/unsubscribe/"

// unsubscribePurpose is MACed with the id, so a MAC made for another purpose under the
// same key can never pass for an unsubscribe token.
const unsubscribePurpose = "unsubscribe"

// maxTokenLen bounds what UnsubscribeUser parses: a 19-digit id, a dot and the MAC.
const maxTokenLen = 19 + 1 + 43

// UnsubscribeToken is userID's unsubscribe token.
func UnsubscribeToken(sessionKey []byte, userID int64) string {
	id := strconv.FormatInt(userID, 10)
	return id + "." + base64.RawURLEncoding.EncodeToString(unsubscribeMAC(sessionKey, id))
}

// UnsubscribePath is userID's unsubscribe link, as a site path.
func UnsubscribePath(sessionKey []byte, userID int64) string {
	return UnsubscribePrefix + UnsubscribeToken(sessionKey, userID)
}

// UnsubscribeUser returns the person a token was made for, or false for anything
// UnsubscribeToken did not make under this key.
func UnsubscribeUser(sessionKey []byte, token string) (int64, bool) {
	if len(token) > maxTokenLen {
		return 0, false
	}
	id, mac, ok := strings.Cut(token, ".")
	if !ok {
		return 0, false
	}
	userID, err := strconv.ParseInt(id, 10, 64)
	if err != nil || userID <= 0 || strconv.FormatInt(userID, 10) != id { // one spelling per id
		return 0, false
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(mac)
	if err != nil || !hmac.Equal(got, unsubscribeMAC(sessionKey, id)) {
		return 0, false
	}
	return userID, true
}

func unsubscribeMAC(sessionKey []byte, id string) []byte {
	// A key of its own, so no MAC made for sessions or CSRF can serve here.
	key, err := hkdf.Key(sha256.New, sessionKey, nil, "forum mail unsubscribe v1", sha256.Size)
	if err != nil {
		panic("hkdf: " + err.Error()) // only for a length beyond 255*32 bytes
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(unsubscribePurpose + "\x00" + id))
	return m.Sum(nil)
}
