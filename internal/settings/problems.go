package settings

import (
	"fmt"
	"strings"
)

// Namespace is the Pulumi config namespace of this project's own keys.
const Namespace = "headlamp-eks"

// Problem is one bad configuration value: which key, what it held, and how to fix it.
type Problem struct {
	Key   string
	Value string
	Fix   string
}

// String renders the problem as one line a user can act on without reading the code.
func (p Problem) String() string {
	return fmt.Sprintf("%s = %q: %s", qualified(p.Key), p.Value, p.Fix)
}

// qualified adds the project namespace to a bare key; provider keys such as aws:region keep theirs.
func qualified(key string) string {
	if strings.Contains(key, ":") {
		return key
	}
	return Namespace + ":" + key
}

// Error carries every configuration problem found, so one preview reports all of them at once.
type Error struct {
	Problems []Problem
}

// Error lists every problem, one per line, and says that nothing was changed.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (%d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString("); no resource was registered, no cloud resource was created or changed:")
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects Problems in the order they are found.
type problems struct{ list []Problem }

func (p *problems) add(key, value, fix string) {
	p.list = append(p.list, Problem{Key: key, Value: value, Fix: fix})
}

// err is nil when nothing was found, so callers can return it directly.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &Error{Problems: p.list}
}
