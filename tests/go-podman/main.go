// Command go-podman loads seccomp profiles as Podman does: containers/common's
// pkg/seccomp turns each file into a runtime-spec seccomp section
// (LoadProfile, for a container with Podman's default capabilities) and
// builds the libseccomp filter for it (BuildFilter).  It prints, per file,
// "PATH: ok" or "PATH: " and the error, and exits non-zero if any failed.
//
// Built in GOPATH mode against Debian's copies of the packages
// (golang-github-containers-common-dev), with the "seccomp" tag the filter
// code needs.
package main

import (
	"fmt"
	"os"

	"github.com/containers/common/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The capabilities a Podman container has by default (containers.conf).
var podmanCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
	"CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
}

func load(path string) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{
		Bounding: podmanCaps, Effective: podmanCaps, Permitted: podmanCaps,
	}}}
	config, err := seccomp.LoadProfile(string(body), spec)
	if err != nil {
		return fmt.Errorf("LoadProfile: %w", err)
	}
	filter, err := seccomp.BuildFilter(config)
	if err != nil {
		return fmt.Errorf("BuildFilter: %w", err)
	}
	filter.Release()
	return nil
}

func main() {
	failed := false
	for _, path := range os.Args[1:] {
		if err := load(path); err != nil {
			fmt.Printf("%s: %v\n", path, err)
			failed = true
		} else {
			fmt.Printf("%s: ok\n", path)
		}
	}
	if failed {
		os.Exit(1)
	}
}
