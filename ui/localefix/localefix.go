// Package localefix keeps Fyne from logging an error at start in the "C.UTF-8" locale of containers and CI
// machines: Fyne reads the language from LC_ALL, LC_MESSAGES or LANG, turns "C.UTF-8" into "C" and fails to parse
// it as a language tag, before main runs. In that locale it sets LANGUAGE=en, which Fyne reads first.
//
// Import it from main, blank: it has no dependencies, so Go initializes it before Fyne's lang package.
package localefix

import (
	"os"
	"strings"
)

func init() {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		loc := os.Getenv(v)
		if loc == "" {
			continue
		}
		if (strings.HasPrefix(loc, "C.") || strings.HasPrefix(loc, "POSIX.")) && os.Getenv("LANGUAGE") == "" {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
