package instance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

func testAddress(t *testing.T) string {
	return fmt.Sprintf(`\\.\pipe\gugugo-test-%d-%s`, time.Now().UnixNano(), strings.ReplaceAll(t.Name(), "/", "-"))
}

// privateToThisUser reads the pipe's access list back: one entry, for this user's SID, and no inherited ones.
func privateToThisUser(t *testing.T, p string) {
	t.Helper()
	sd, err := windows.GetNamedSecurityInfo(p, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatalf("reading the pipe's access list: %v", err)
	}
	// Windows writes the generic right it was given (GA) as the file right it maps to (FA).
	got := sd.String()
	if got != "D:P(A;;FA;;;"+userSID()+")" && got != "D:P(A;;GA;;;"+userSID()+")" {
		t.Errorf("the pipe's access list is %s, want one entry: full access for %s", got, userSID())
	}
}

func TestAddressNamesThisUser(t *testing.T) {
	if a := Address(); !strings.HasPrefix(a, `\\.\pipe\gugugo-S-1-5-`) {
		t.Errorf("Address() = %q, want the pipe named after this user's SID", a)
	}
}
