package settings

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// eksVersion is one Kubernetes minor version EKS can create, with the last days of its standard
// and extended support (EKS release calendar; FACTS.md, December 2026).
type eksVersion struct {
	minor       int
	standardEnd time.Time
	extendedEnd time.Time
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// eksVersions lists the creatable 1.x versions, oldest first. 1.36's dates are not published yet:
// they follow EKS's policy of 14 months of standard and 12 of extended support after release.
var eksVersions = []eksVersion{
	{32, day(2026, time.March, 23), day(2027, time.March, 23)},
	{33, day(2026, time.July, 29), day(2027, time.July, 29)},
	{34, day(2026, time.December, 2), day(2027, time.December, 2)},
	{35, day(2027, time.March, 27), day(2028, time.March, 27)},
	{36, day(2028, time.January, 31), day(2029, time.January, 31)},
}

// StandardVersions are the versions in standard support at now, oldest first.
func StandardVersions(now time.Time) []string {
	var out []string
	for _, v := range eksVersions {
		if !now.After(v.standardEnd) {
			out = append(out, fmt.Sprintf("1.%d", v.minor))
		}
	}
	return out
}

// validateVersion refuses versions EKS cannot create, and versions only in extended support
// unless extended support (six times the control-plane price) was explicitly allowed.
func validateVersion(p *problems, v string, allowExtended bool, now time.Time) (string, string) {
	support := "STANDARD"
	if allowExtended {
		support = "EXTENDED"
	}
	std := strings.Join(StandardVersions(now), " or ")
	major, minorS, ok := strings.Cut(v, ".")
	minor, err := strconv.Atoi(minorS)
	if !ok || major != "1" || err != nil || minorS != strconv.Itoa(minor) {
		p.add("kubernetesVersion", v, "use a Kubernetes minor version such as "+std)
		return v, support
	}
	for _, ev := range eksVersions {
		if ev.minor != minor {
			continue
		}
		switch {
		case !now.After(ev.standardEnd):
			return v, support
		case !now.After(ev.extendedEnd) && allowExtended:
			return v, support
		case !now.After(ev.extendedEnd):
			p.add("kubernetesVersion", v, fmt.Sprintf("%s left standard support on %s; use %s, or set allowExtendedSupport to true to pay for extended support (the control plane costs 6x: $0.60/h instead of $0.10/h)",
				v, ev.standardEnd.Format("2 Jan 2006"), std))
		default:
			p.add("kubernetesVersion", v, fmt.Sprintf("EKS can no longer create %s (extended support ended %s); use %s", v, ev.extendedEnd.Format("2 Jan 2006"), std))
		}
		return v, support
	}
	if minor < eksVersions[0].minor {
		hint := ""
		if minor < 10 {
			// YAML reads an unquoted 1.30 as the number 1.3.
			hint = fmt.Sprintf(" (if you wrote 1.%d0, quote it: \"1.%d0\", or YAML reads it as the number %s)", minor, minor, v)
		}
		p.add("kubernetesVersion", v, "EKS can no longer create "+v+" (past extended support); use "+std+hint)
	} else {
		p.add("kubernetesVersion", v, "EKS does not offer "+v+" yet; use "+std)
	}
	return v, support
}
