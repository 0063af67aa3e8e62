package settings

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

var domainPrefixRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// reservedDomainWords may not appear anywhere in a Cognito domain prefix.
var reservedDomainWords = []string{"aws", "amazon", "cognito"}

// domainPrefixProblem says what is wrong with a hosted-UI domain prefix, or "" if nothing is.
func domainPrefixProblem(prefix string) string {
	var why []string
	if !domainPrefixRe.MatchString(prefix) {
		why = append(why, "use 1-63 lower-case letters, digits and inner hyphens")
	}
	for _, w := range reservedDomainWords {
		if strings.Contains(strings.ToLower(prefix), w) {
			why = append(why, "leave out the reserved word \""+w+"\" (Cognito refuses it)")
		}
	}
	return strings.Join(why, "; ")
}

// DomainPrefixBase is the readable part of the default domain prefix: the project and stack
// names, sanitized, without Cognito's reserved words, short enough to leave room for a suffix.
func DomainPrefixBase(project, stack string) string {
	s := project + "-" + stack
	for _, w := range reservedDomainWords {
		s = strings.ReplaceAll(strings.ToLower(s), w, "-")
	}
	s = truncate(Sanitize(s), 54)
	if s == "" {
		s = "headlamp"
	}
	return s
}

// DomainPrefix is the default hosted-UI domain prefix: base plus a suffix drawn from the user
// pool id. The pool id is random and kept in state, so the prefix is unique in practice across
// accounts and regions (prefixes are global per region) and stable for the pool's life.
func DomainPrefix(base, poolID string) string {
	sum := sha256.Sum256([]byte(poolID))
	return base + "-" + hex.EncodeToString(sum[:4])
}
