// Command go-load loads seccomp profiles as Docker or Podman does: LOADER is
// "docker" (moby's profiles/seccomp) or "podman" (containers/common's
// pkg/seccomp).  Each turns a file into a runtime-spec seccomp section
// (LoadProfile, for a container with that engine's default capabilities),
// whose libseccomp filter is then built (containers/common's BuildFilter,
// which derives from runc's).  It prints, per file, "PATH: ok" or "PATH: "
// and the error, and exits non-zero if any failed.
//
//	go-load LOADER PROFILE...
//
// Built in GOPATH mode against Debian's copies of the packages
// (golang-github-docker-docker-dev, golang-github-containers-common-dev),
// with the "seccomp" tag the filter code needs.
package main

import (
	"fmt"
	"os"

	"github.com/containers/common/pkg/seccomp"
	moby "github.com/docker/docker/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The capabilities a container has by default: Docker's (oci/caps), and
// Podman's (containers.conf).
var defaultCaps = map[string][]string{
	"docker": {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
		"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
		"CAP_KILL", "CAP_AUDIT_WRITE"},
	"podman": {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
		"CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"},
}

func load(loader, path string) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	caps := defaultCaps[loader]
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{
		Bounding: caps, Effective: caps, Permitted: caps,
	}}}
	var config *specs.LinuxSeccomp
	if loader == "docker" {
		config, err = moby.LoadProfile(string(body), spec)
	} else {
		config, err = seccomp.LoadProfile(string(body), spec)
	}
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
	if len(os.Args) < 2 || defaultCaps[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: go-load docker|podman PROFILE...")
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[2:] {
		if err := load(os.Args[1], path); err != nil {
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
