// Package footnotes numbers the sources a benchmark report cites, in order of first use.
package footnotes

import "fmt"

// List holds the sources cited so far; the zero value is ready to use.
type List struct{ URLs []string }

// Ref returns the marker ("[n]") for url, adding it on first use.
func (l *List) Ref(url string) string {
	for i, u := range l.URLs {
		if u == url {
			return fmt.Sprintf("[%d]", i+1)
		}
	}
	l.URLs = append(l.URLs, url)
	return fmt.Sprintf("[%d]", len(l.URLs))
}
